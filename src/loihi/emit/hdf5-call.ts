/**
 * Calls into h5wasm (HDF5 compiled to WebAssembly). HDF5 reports a failure by printing its error
 * stack (dozens of `HDF5-DIAG` lines) straight to file descriptor 2 and often carries on; here
 * that text is collected instead of printed, and a call that printed it (or threw an I/O error)
 * becomes one SnncError whose message is the stack's most telling line.
 */
import fs from "node:fs";
import { type ErrorCode, SnncError } from "../../ir/errors.ts";

type WriteSync = typeof fs.writeSync;

/** Runs the synchronous `fn`; HDF5's error output becomes an SnncError(code, `${what}: …`). */
export function callHdf5<T>(what: string, code: ErrorCode, fn: () => T): T {
  const original = fs.writeSync;
  let diag = "";
  const capture = (fd: number, buf: string | NodeJS.ArrayBufferView, a?: unknown, b?: unknown, c?: unknown) => {
    if (fd !== 2) return (original as (...x: unknown[]) => number).call(fs, fd, buf, a, b, c);
    const bytes =
      typeof buf === "string"
        ? Buffer.from(buf)
        : Buffer.from(
            buf.buffer,
            buf.byteOffset + ((a as number | undefined) ?? 0),
            (b as number | undefined) ?? buf.byteLength - ((a as number | undefined) ?? 0),
          );
    diag += bytes.toString("utf8");
    return bytes.length;
  };
  fs.writeSync = capture as WriteSync;
  let value: T;
  try {
    value = fn();
  } catch (e) {
    if (e instanceof SnncError) throw e;
    const errno = (e as NodeJS.ErrnoException).code;
    if (!diag && !errno) throw e;
    throw new SnncError(code, `${what}: ${diag ? hdf5Problem(diag) : `${(e as Error).message} (${errno})`}`);
  } finally {
    fs.writeSync = original;
  }
  if (diag) throw new SnncError(code, `${what}: ${hdf5Problem(diag)}`);
  return value;
}

/** The most telling line of an HDF5 error stack: the system's error message, else the innermost problem. */
export function hdf5Problem(diag: string): string {
  const sys = /error message = '([^']*)'/.exec(diag)?.[1];
  const frames = [...diag.matchAll(/#\d+: .* in (\w+)\(\): ([^\n,]*)/g)];
  const inner = frames.at(-1);
  const where = inner
    ? `${inner[1]}: ${(inner[2] ?? "").replace(/:\s*time = .*$/, "").trim()}`
    : diag.split("\n")[0]!.trim();
  return sys ? `HDF5 ${where} (${sys})` : `HDF5 ${where}`;
}
