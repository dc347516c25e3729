/**
 * Runs the CLI's `main()` in a worker thread of this process (no build, no process start-up per
 * command) and returns its exit code and what it printed. Paths in `args` should be absolute.
 */
import { after } from "node:test";
import { CliPool } from "../fuzz/cli-pool.ts";

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
  /** How long the command ran (the worker's start-up excluded). */
  ms: number;
}

let pool: CliPool | undefined;
after(() => pool?.close());

export async function runMain(args: string[], budgetMs = 180_000): Promise<MainResult> {
  pool ??= new CliPool(1);
  const r = await pool.run(args, budgetMs);
  if (r.kind === "done") return { code: r.code, stdout: r.stdout, stderr: r.stderr, ms: r.ms };
  throw new Error(`snnc ${args.join(" ")}: ${r.kind}${"detail" in r ? `: ${r.detail}` : ""} after ${r.ms} ms`);
}

/** stderr is exactly one `snnc: error:` line (warnings aside), with no stack trace. */
export function oneErrorLine(stderr: string): string | undefined {
  const lines = stderr.split("\n").filter((l) => l !== "" && !l.startsWith("snnc: warning: "));
  return lines.length === 1 && lines[0]!.startsWith("snnc: error: ") ? lines[0] : undefined;
}
