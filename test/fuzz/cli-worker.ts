/**
 * A worker thread that runs the built CLI's `main()` for its parent, one command at a time, with what
 * the command prints captured (this thread's stdout and stderr are its own, so nothing of the
 * parent's output is mixed in). Protocol: the parent posts {id, args}; the worker answers
 * {id, code, stdout, stderr} or {id, thrown}.
 */
import { parentPort } from "node:worker_threads";

// The command as it ships (dist/bundle, built by `npm run build`), so that what only the build does
// (its worker threads: HDF5's guarded reading, verify's time-stepped thread) is fuzzed too.
const { main } = (await import(new URL("../../dist/bundle/main.js", import.meta.url).href)) as {
  main(argv: string[]): Promise<number>;
};

export interface CliRequest {
  id: number;
  args: string[];
}

export interface CliReply {
  id: number;
  code?: number;
  stdout: string;
  stderr: string;
  /** main() itself threw (it never should). */
  thrown?: string;
}

let stdout = "";
let stderr = "";
const capture =
  (sink: (s: string) => void) =>
  (c: string | Uint8Array, ...rest: unknown[]): boolean => {
    sink(typeof c === "string" ? c : Buffer.from(c).toString("utf8"));
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  };
process.stdout.write = capture((s) => {
  stdout += s;
}) as typeof process.stdout.write;
process.stderr.write = capture((s) => {
  stderr += s;
}) as typeof process.stderr.write;

parentPort!.on("message", async (req: CliRequest) => {
  stdout = "";
  stderr = "";
  let reply: CliReply;
  try {
    const code = await main(["node", "snnc", ...req.args]);
    reply = { id: req.id, code, stdout, stderr };
  } catch (e) {
    reply = { id: req.id, stdout, stderr, thrown: (e as Error)?.stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true });
