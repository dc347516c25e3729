/**
 * Writes a compile's output files so that they appear all at once: into a fresh sibling
 * directory first, then renamed into place. On any failure nothing is left behind.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { SnncError } from "../ir/errors.ts";

export function writeOutputsAtomically(dir: string, files: Map<string, string | Uint8Array>): void {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new SnncError("E_IO", "output path exists and is not a directory", { file: dir });
  }
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new SnncError("E_IO", `cannot create the output directory's parent (${(e as NodeJS.ErrnoException).code})`, {
      file: dir,
    });
  }
  const tmp = join(parent, `.${basename(target)}.partial-${process.pid}`);
  const old = join(parent, `.${basename(target)}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    for (const [name, content] of files) {
      if (name.includes("/") || name.includes("\\") || name.startsWith(".")) throw new Error(`bad output name ${name}`);
      writeFileSync(join(tmp, name), content);
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(target)) renameSync(old, target);
    if (e instanceof SnncError) throw e;
    throw new SnncError("E_IO", `cannot write outputs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: dir,
    });
  }
}
