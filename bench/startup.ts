/**
 * Start-up and small commands: the built `bin/snnc.js` on a shipped fixture, each spawned a few
 * times in turn with `node -e 0` (so that both see the same machine load), under /usr/bin/time for
 * the wall time and the peak RSS. Reported as medians and as ratios to `node -e 0`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, timedNode as timed } from "./common.ts";

export interface StartupRow {
  command: string;
  wallMs: number;
  /** User + system CPU time: what the command costs, whatever else the machine runs. */
  cpuMs: number;
  ratio: number;
  cpuRatio: number;
  peakMB: number;
}

export function startup(reps: number): StartupRow[] {
  const dir = mkdtempSync(join(tmpdir(), "snnc-bench-"));
  const fx = "fixtures/tdbn";
  const nir = "fixtures/nir-snntorch/snntorch_rleaky.nir";
  const cmds: [string, string[]][] = [
    ["node -e 0", ["-e", "0"]],
    ["snnc --version", ["bin/snnc.js", "--version"]],
    ["snnc targets", ["bin/snnc.js", "targets"]],
    ["snnc inspect", ["bin/snnc.js", "inspect", `${fx}/model.json`]],
    ["snnc run", ["bin/snnc.js", "run", `${fx}/model.json`, "--input", `${fx}/input.json`]],
    ["snnc run --target loihi2", ["bin/snnc.js", "run", `${fx}/model.json`, "--target", "loihi2", "--random", "1"]],
    [
      "snnc compile --target loihi2",
      ["bin/snnc.js", "compile", `${fx}/model.json`, "--target", "loihi2", "-o", join(dir, "o")],
    ],
    [
      "snnc verify --target loihi2",
      ["bin/snnc.js", "verify", `${fx}/model.json`, "--target", "loihi2", "--input", `${fx}/input.json`],
    ],
    [
      "snnc compile --target float",
      ["bin/snnc.js", "compile", `${fx}/model.json`, "--target", "float", "-o", join(dir, "f")],
    ],
    // NIR files are HDF5 read and written by h5wasm (docs/HDF5.md)
    [
      "snnc compile --target nir",
      ["bin/snnc.js", "compile", `${fx}/model.json`, "--target", "nir", "-o", join(dir, "n")],
    ],
    [`snnc inspect ${nir}`, ["bin/snnc.js", "inspect", nir]],
  ];
  const ms = cmds.map(() => [] as number[]);
  const cpu = cmds.map(() => [] as number[]);
  const kb = cmds.map(() => [] as number[]);
  try {
    for (let r = 0; r <= reps; r++) {
      cmds.forEach(([, args], i) => {
        const t = timed(args, join(dir, "time.txt"));
        if (r === 0) return; // warm-up: file cache
        ms[i]!.push(t.ms);
        cpu[i]!.push(t.cpu);
        kb[i]!.push(t.kb);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(ms[0]!);
  const baseCpu = median(cpu[0]!);
  return cmds.map(([command], i) => ({
    command: `${command}${i > 2 && !command.endsWith(".nir") ? ` (${fx})` : ""}`,
    wallMs: median(ms[i]!),
    cpuMs: median(cpu[i]!),
    ratio: median(ms[i]!) / base,
    cpuRatio: median(cpu[i]!) / baseCpu,
    peakMB: Math.max(...kb[i]!) / 1024,
  }));
}
