/**
 * Writes a compile's output directory so that `<dir>` holds either its old content or all of the
 * new files, never a mix or a part (docs/ROBUSTNESS.md, "Atomic outputs"):
 *
 *   1. the files are written into a fresh staging directory beside `<dir>`
 *      (`.<name>.snnc-new-<pid>-<random>`, made by mkdtemp), each one fsynced, then the directory itself;
 *   2. an existing `<dir>` is renamed to `.<name>.snnc-old`, the staging directory is renamed
 *      to `<dir>`, the parent directory is fsynced, and the old one is removed.
 *
 * Renames within one directory are atomic. Between the two renames of step 2 the old output is
 * only at `.<name>.snnc-old`; a process killed right there (SIGKILL, power loss) leaves it there,
 * and the next snnc run that writes `<dir>` puts it back before doing anything else (a left-over
 * staging directory of a process that no longer runs is removed then too). SIGINT, SIGTERM and
 * SIGHUP wait for this function to finish or clean up (util/signals.ts). Any failure (disk full, a
 * file size limit, permissions) removes the staging directory, restores the old output and ends
 * with an E_WRITE error (exit 74).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { OutputContent } from "../driver/types.ts";
import { SnncError } from "../ir/errors.ts";
import { makeParents } from "./make-parents.ts";
import { deferSignals } from "../util/signals.ts";
import { writeFileDurably } from "./write-file.ts";

export function writeOutputsAtomically(dir: string, files: Map<string, OutputContent>): void {
  for (const name of files.keys()) {
    if (name === "" || name.includes("/") || name.includes("\\") || name.startsWith("."))
      throw new Error(`bad output file name '${name}'`);
  }
  deferSignals(() => write(dir, files));
}

/**
 * Writes one output file so that `path` holds either its old content or all of the new one: the
 * content goes to a file in a fresh staging directory beside it (fsynced), which is renamed onto
 * `path` (atomic within a directory); the staging directory is removed. Failures as above.
 */
export function writeFileAtomically(path: string, content: string | Uint8Array): void {
  deferSignals(() => writeFile(path, content));
}

function writeFile(path: string, content: string | Uint8Array): void {
  const target = resolve(path);
  const parent = dirname(target);
  let created: string | undefined;
  try {
    created = makeParents(parent);
  } catch (e) {
    throw new SnncError("E_WRITE", `cannot create the output file's folder (${(e as NodeJS.ErrnoException).code})`, {
      file: path,
    });
  }
  recoverInterruptedWrite(target);
  if (existsSync(target) && statSync(target).isDirectory()) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw new SnncError("E_WRITE", "output path exists and is a directory", { file: path });
  }
  let stage: string | undefined;
  try {
    stage = mkdtempSync(join(parent, `.${basename(target)}.snnc-new-${process.pid}-`));
    const staged = join(stage, basename(target));
    writeFileDurably(staged, content);
    renameSync(staged, target);
  } catch (e) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw new SnncError(
      "E_WRITE",
      `cannot write the output file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { file: path },
    );
  } finally {
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
  fsyncDir(parent);
}

function write(dir: string, files: Map<string, OutputContent>): void {
  const target = resolve(dir);
  const parent = dirname(target);
  const backup = join(parent, `.${basename(target)}.snnc-old`);
  const fail = (what: string, e: unknown): SnncError =>
    e instanceof SnncError
      ? e
      : new SnncError("E_WRITE", `${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
          file: dir,
        });
  let created: string | undefined;
  try {
    created = makeParents(parent);
  } catch (e) {
    throw fail("cannot create the output directory's parent", e);
  }
  // A failure leaves nothing new behind: not even the parent folders this call made.
  const removeCreated = () => created && rmSync(created, { recursive: true, force: true });
  recoverInterruptedWrite(target);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    removeCreated();
    throw new SnncError("E_WRITE", "output path exists and is not a directory", { file: dir });
  }

  let stage: string | undefined;
  let moved = false;
  let writing: string | undefined; // the file whose failure to write is the one to name
  try {
    stage = mkdtempSync(join(parent, `.${basename(target)}.snnc-new-${process.pid}-`));
    for (const [name, content] of files) {
      writing = name;
      writeFileDurably(join(stage, name), content);
    }
    writing = undefined;
    fsyncDir(stage);
    if (existsSync(target)) {
      rmSync(backup, { recursive: true, force: true });
      renameSync(target, backup);
      moved = true;
    }
    renameSync(stage, target);
    stage = undefined;
    fsyncDir(parent);
  } catch (e) {
    if (stage) rmSync(stage, { recursive: true, force: true });
    if (moved && !existsSync(target)) renameSync(backup, target);
    removeCreated();
    throw fail(writing ? `cannot write ${writing}` : "cannot write the output files", e);
  }
  rmSync(backup, { recursive: true, force: true });
}

/**
 * Undo what a killed run left beside `target`: its old output waiting at `.<name>.snnc-old`
 * (put back when `target` is missing, removed when the new one made it), staging directories of
 * processes that no longer run.
 */
export function recoverInterruptedWrite(target: string): void {
  const parent = dirname(target);
  const name = basename(target);
  const backup = join(parent, `.${name}.snnc-old`);
  if (existsSync(backup)) {
    try {
      if (existsSync(target)) rmSync(backup, { recursive: true, force: true });
      else renameSync(backup, target);
    } catch (e) {
      throw new SnncError(
        "E_WRITE",
        `cannot put back the previous output from ${basename(backup)} (${(e as NodeJS.ErrnoException).code})`,
        { file: target },
      );
    }
  }
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  const prefix = `.${name}.snnc-new-`;
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const pid = Number(e.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid))
      rmSync(join(parent, e), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** fsync a directory so that the names in it are on disk (where the platform allows it). */
function fsyncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF") throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
