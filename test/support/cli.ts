/** Runs the real `snnc` executable and captures its output and exit code. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/snnc.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Environment variables on top of this process's (SNNC_DEBUG is cleared). */
  env?: Record<string, string>;
  /** Modules node loads first (`--import`), e.g. a loader and a module that patches a pass. */
  imports?: string[];
}

export function snnc(args: string[], opts: CliOptions = {}): CliResult {
  const pre = (opts.imports ?? []).flatMap((m) => ["--import", m]);
  const r = spawnSync(process.execPath, [...pre, BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, SNNC_DEBUG: "", ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
