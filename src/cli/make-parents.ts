/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync loops for ever on some paths that
 * cannot be created (e.g. below /proc, where mkdir answers ENOENT for a parent it just reported
 * missing); creating each missing level with a plain mkdir fails at once instead.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Creates `dir` and its missing parents; returns the first folder created (undefined if none). */
export function makeParents(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: "ENOTDIR" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  missing.reverse();
  for (const d of missing) mkdirSync(d);
  return missing[0];
}
