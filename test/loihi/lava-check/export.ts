/**
 * Prepare a Lava check of one model: compile it for a Loihi target, run snnc's integer simulator
 * on an input, and write what Lava needs and what it must reproduce:
 *
 *   OUT/network.net     the compiled netx file (when netx can express the model)
 *   OUT/check.json      netx.hdf5.Network arguments, the input payloads per Lava step (in the
 *                       order the network's input port takes them), and snnc's spikes, u and v
 *                       per layer and step (in the flat order of each netx layer)
 * With --lava-graph instead: OUT/network.lava.json and a check.json in Lava's (W,H,C) order for
 * every population and the input (for run_lava_graph_check.py).
 *
 * Usage: node --import tsx test/loihi/lava-check/export.ts MODEL INPUT OUT_DIR [--target loihi2] [--lava-graph]
 *   MODEL: a model file, or builtin:spike-features / builtin:expanded-conv (test/loihi/models.ts)
 *   INPUT: an input file, or random:SEED (seeded spike trains for spike-encoded models)
 * (run_netx_check.py / run_lava_graph_check.py then run it in Lava and compare.)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../../../src/frontends/index.ts";
import { readInputs } from "../../../src/inputs/read-inputs.ts";
import { buildLoihi } from "../../../src/driver/loihi.ts";
import { netxCheck, writeNetx } from "../../../src/backends/netx-hdf5.ts";
import { lavaIndex, lavaProcessGraphJson } from "../../../src/backends/lava-process-graph.ts";
import { inputColumns } from "../../../src/sim/fixed/input-fixed.ts";
import { runFixedStepped } from "../../../src/sim/fixed/run-stepped.ts";
import { runFixedEvent } from "../../../src/sim/fixed/run-event.ts";
import type { FixedModel } from "../../../src/ir/fixed.ts";
import { BUILTIN, spikeTrains } from "../models.ts";

/** Reorder a flat NHWC vector of `shape` into the order of a netx layer (Lava (W,H,C) for conv layers). */
function netxOrder(shape: number[], conv: boolean, v: ArrayLike<number>): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[conv && shape.length === 3 ? lavaIndex(shape, i) : i] = v[i]!;
  return out;
}

/** The order the first synapse reads the host input in (netx-hdf5.ts): Lava (W,H,C) for conv, (C,H,W) for dense after flatten. */
function inputOrder(m: FixedModel, q: Int32Array): number[] {
  const first = m.connections.find((c) => c.from === m.input.id)!;
  const s = m.input.shape;
  if (s.length !== 3) return Array.from(q);
  if (first.synapse.kind === "conv") return netxOrder(s, true, q);
  const [H, W, C] = s as [number, number, number];
  const out = new Array<number>(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = i % C;
    const x = Math.floor(i / C) % W;
    const y = Math.floor(i / (C * W));
    out[(c * H + y) * W + x] = q[i]!;
  }
  return out;
}

const args = process.argv.slice(2);
const gi = args.indexOf("--lava-graph");
const lavaGraph = gi >= 0;
if (lavaGraph) args.splice(gi, 1);
const ti = args.indexOf("--target");
const target = ti >= 0 ? args.splice(ti, 2)[1]! : "loihi2";
const [modelFile, inputFile, outDir] = args;
if (!modelFile || !inputFile || !outDir) {
  process.stderr.write("usage: export.ts MODEL.json INPUT.json OUT_DIR [--target loihi2]\n");
  process.exit(2);
}
const g = modelFile.startsWith("builtin:") ? BUILTIN[modelFile.slice(8)]!() : await loadModel(modelFile);
const x = inputFile.startsWith("random:") ? spikeTrains(g, Number(inputFile.slice(7))) : readInputs(inputFile, g)[0]!;
const b = buildLoihi(g, { target, file: modelFile });
const m = b.quant.model;
const chk = netxCheck(m);
mkdirSync(outDir, { recursive: true });
if (lavaGraph) {
  writeFileSync(join(outDir, "network.lava.json"), lavaProcessGraphJson(m, { netx: chk.ok ? { written: true } : { written: false, reason: chk.reason } }));
} else {
  if (!chk.ok) {
    process.stderr.write(`network.net cannot express this model: ${chk.reason}\n`);
    process.exit(4);
  }
  writeFileSync(join(outDir, "network.net"), await writeNetx(m));
}
const run = runFixedStepped(m, x, { state: true });
const ev = runFixedEvent(m, x, { state: true });
for (const p of m.populations) {
  if (JSON.stringify(run.v!.get(p.id)) !== JSON.stringify(ev.v!.get(p.id))) throw new Error(`engines differ on ${p.id}`);
}
const cols = inputColumns(m.input, x, m.timesteps);
const layers = m.populations.map((p) => {
  // a netx conv layer is (W,H,C); a dense layer is flat in snnc's own order
  const conv = lavaGraph || m.connections.find((c) => c.to === p.id)!.synapse.kind === "conv";
  const o = (v: ArrayLike<number>) => netxOrder(p.shape, conv, v);
  return {
    id: p.id,
    kind: p.kind,
    spikes: run.spikes.get(p.id)!.map(o),
    u: run.u!.get(p.id)!.map(o),
    v: run.v!.get(p.id)!.map(o),
  };
});
const doc = {
  model: modelFile,
  target: m.target,
  steps: m.runSteps,
  network_args: { input_message_bits: m.input.messageBits, reset_interval: m.runSteps, reset_offset: 1 },
  input: cols.map((c) => (lavaGraph ? netxOrder(m.input.shape, true, c) : inputOrder(m, c))),
  layers,
};
writeFileSync(join(outDir, "check.json"), JSON.stringify(doc));
process.stdout.write(`${modelFile}: ${layers.length} layers, ${m.runSteps} steps, input ${m.input.kind} ${m.input.messageBits} bits → ${outDir}\n`);
