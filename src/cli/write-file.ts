/**
 * Writes one output file so that `<path>` holds either its old content or all of the new one:
 * the text goes to a temporary file beside it (`.<name>.snnc-new-<pid>-<clock>`, created exclusively:
 * an existing file or link there fails the write instead of being followed), is fsynced, and
 * is renamed over `<path>` (atomic within a directory). Any failure removes the temporary file and
 * ends with an E_WRITE error (exit 74); signals wait for the write to finish or clean up.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { OutputContent } from "../driver/types.ts";
import { SnncError } from "../ir/errors.ts";
import { makeParents } from "./make-parents.ts";
import { deferSignals } from "../util/signals.ts";

/** Creates `path` (it must not exist) with `content`, fsynced. */
export function writeFileDurably(path: string, content: OutputContent): void {
  const fd = openSync(path, "wx", 0o644);
  const put = (bytes: Uint8Array) => {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  };
  try {
    if (typeof content === "string") put(Buffer.from(content, "utf8"));
    else if (content instanceof Uint8Array) put(content);
    else content.write(put);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomically(path: string, text: string): void {
  deferSignals(() => write(path, text));
}

function write(path: string, text: string): void {
  const target = resolve(path);
  const fail = (what: string, e: unknown) =>
    new SnncError("E_WRITE", `${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  try {
    if (statSync(target).isDirectory()) throw new SnncError("E_WRITE", "output path is a directory", { file: path });
  } catch (e) {
    if (e instanceof SnncError) throw e;
  }
  try {
    makeParents(dirname(target));
  } catch (e) {
    throw fail("cannot create the output file's directory", e);
  }
  // the process and its nanosecond clock name it (node:crypto's random bytes cost a start ~20 ms)
  const tmp = join(
    dirname(target),
    `.${basename(target)}.snnc-new-${process.pid}-${process.hrtime.bigint().toString(36)}`,
  );
  try {
    writeFileDurably(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fail("cannot write the output file", e);
  }
}
