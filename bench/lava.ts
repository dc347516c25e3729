/**
 * Lava beside snnc on the same network.net: when the lava-check environment is present (LAVA_CHECK
 * points at its tools, which find the Lava sources, as for test/loihi/lava-check), snnc compiles a
 * spike-input conv network to netx, then Lava runs it on its CPU fixed-point models
 * (bench/lava_run.py: the run alone, then with import and loading) and snnc's event-driven engine
 * runs the integer model that network.net holds, on the same input. Reported as wall times and
 * their ratio; both run here in turn, so the machine's load is shared alike. The spike counts of
 * every layer must be equal (the same computation).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Build from "../src/loihi/build.ts";
import type * as Netx from "../src/loihi/emit/netx-hdf5.ts";
import type * as Event from "../src/loihi/sim/run-event.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { randomInputs } from "../src/inputs/random-inputs.ts";
import { netxInputOrder } from "../test/loihi/lava-check/check-data.ts";
import { BENCH_MODELS, benchModel } from "./models.ts";
import { dist, measure, ROOT } from "./common.ts";

export interface LavaRow {
  model: string;
  steps: number;
  lavaRunMs: number;
  lavaTotalMs: number;
  snncMs: number;
  ratio: number;
  /** Spikes of every layer: snnc's populations in order, and Lava's netx layers. */
  spikes: { snnc: number[]; lava: number[] };
  spikesEqual: boolean;
}

function lavaTools(): string | undefined {
  const d = process.env.LAVA_CHECK;
  return d && existsSync(join(d, "lava_compat.py")) ? d : undefined;
}

/** A .npy file of int32 (T, n) rows. */
function npy(rows: ArrayLike<number>[]): Uint8Array {
  const T = rows.length;
  const n = rows[0]!.length;
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${T}, ${n}), }`;
  header += `${" ".repeat(63 - ((10 + header.length) % 64))}\n`;
  const out = new Uint8Array(10 + header.length + 4 * T * n);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  const body = new Int32Array(out.buffer, 10 + header.length, T * n);
  rows.forEach((r, t) => {
    for (let i = 0; i < n; i++) body[t * n + i] = r[i]!;
  });
  return out;
}

export async function lavaBeside(): Promise<LavaRow | { skipped: string }> {
  const tools = lavaTools();
  if (!tools) return { skipped: "the lava-check environment is not present (LAVA_CHECK: its tools)" };
  const { buildLoihi } = await dist<typeof Build>("loihi/build.js");
  const { writeNetx } = await dist<typeof Netx>("loihi/emit/netx-hdf5.js");
  const { runFixedEvent } = await dist<typeof Event>("loihi/sim/run-event.js");
  const spec = { ...BENCH_MODELS[2]!, theta: 4, encoding: "spikes" as const };
  const g = inferShapes(benchModel(spec));
  const m = buildLoihi(g, { target: "loihi2" }).quant.model;
  const x = randomInputs(g, 1, 5)[0] as Float64Array[];
  const dir = mkdtempSync(join(tmpdir(), "snnc-lava-"));
  try {
    writeFileSync(join(dir, "network.net"), writeNetx(m));
    // the input's rows in the order the netx input port takes them (Lava's W, H, C)
    writeFileSync(join(dir, "input.npy"), npy(x.map((r) => netxInputOrder(m, Int32Array.from(r)))));
    const t = performance.now();
    const r = spawnSync(
      "/usr/bin/python3",
      [
        join(ROOT, "bench/lava_run.py"),
        join(dir, "network.net"),
        join(dir, "input.npy"),
        String(m.runSteps),
        String(m.input.messageBits),
      ],
      { encoding: "utf8", env: { ...process.env, PYTHONPATH: tools }, timeout: 900_000 },
    );
    const total = performance.now() - t;
    if (r.status !== 0) return { skipped: `Lava did not run: ${(r.stderr || r.error?.message || "").slice(-300)}` };
    const lava = JSON.parse(r.stdout.trim().split("\n").pop()!) as { run_s: number; spikes: number[] };
    const run = runFixedEvent(m, x);
    const ours = m.populations.map((p) => run.spikes.get(p.id)!.reduce((a, s) => a + s.filter((v) => v).length, 0));
    const snnc = measure(() => runFixedEvent(m, x, { record: false }), 3);
    return {
      model: `${spec.name} with spike input (${m.populations.length} populations)`,
      steps: m.runSteps,
      lavaRunMs: lava.run_s * 1000,
      lavaTotalMs: total,
      snncMs: snnc.wall,
      ratio: (lava.run_s * 1000) / snnc.wall,
      spikes: { snnc: ours, lava: lava.spikes },
      spikesEqual: JSON.stringify(ours) === JSON.stringify(lava.spikes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
