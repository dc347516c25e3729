/**
 * What the bench sections share: the compiled modules (dist/, built by `npm run build`: timings
 * are of the JavaScript that ships, not of a transpiler's output), CPU and wall clocks, medians.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A module of the build, typed as its source. */
export async function dist<T>(path: string): Promise<T> {
  const url = new URL(`../dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`dist/${path} is missing: run 'npm run build' first`);
  return (await import(url.href)) as T;
}

/** CPU time of this process (user + system), in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median of `reps` runs after one warm-up: CPU ms and wall ms. */
export function measure(fn: () => unknown, reps: number): { cpu: number; wall: number } {
  fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = cpuMs();
    const w = performance.now();
    fn();
    wall.push(performance.now() - w);
    cpu.push(cpuMs() - c);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const fmt = (x: number, d = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * `node <args>` in ROOT under /usr/bin/time (its report goes to `out`), after `prefix` (e.g.
 * `taskset -c 0`): wall ms, CPU ms of the process and all its threads (user + system), peak RSS in
 * KB. Throws when the command fails.
 */
export function timedNode(args: string[], out: string, prefix: string[] = []): { ms: number; cpu: number; kb: number } {
  const r = spawnSync("/usr/bin/time", ["-o", out, "-f", "%e %U %S %M", ...prefix, process.execPath, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  const [s, u, sy, kb] = readFileSync(out, "utf8").trim().split(/\s+/).slice(-4).map(Number) as number[];
  return { ms: s! * 1000, cpu: (u! + sy!) * 1000, kb: kb! };
}
