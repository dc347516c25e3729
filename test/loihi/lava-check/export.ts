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
 * Usage: node --import tsx test/loihi/lava-check/export.ts MODEL INPUT OUT_DIR [--target loihi2] [--lava-graph] [--temporal-norm-approx] [--weight-planes 2] [--then INPUT2]
 *   MODEL: a model file, or builtin:spike-features / builtin:expanded-conv / builtin:offset-layers (test/support/folded-graphs.ts)
 *   INPUT: an input file, or seed:N (snnc's seeded random input for the model's encoding)
 *   --then INPUT2: run two samples back to back (INPUT, then INPUT2 from step runSteps + 1 on),
 *   2·runSteps steps, as a deployed network does (LIFReset's period, the pulses' period)
 * (run_netx_check.py / run_lava_graph_check.py then run it in Lava and compare.)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../../../src/frontends/index.ts";
import { readInputs } from "../../../src/inputs/read-inputs.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { writeNetx } from "../../../src/loihi/emit/netx-hdf5.ts";
import { netxCheck } from "../../../src/loihi/quantize/index.ts";
import { lavaProcessGraphJson } from "../../../src/loihi/emit/lava-process-graph.ts";
import { CUSTOM_PROCESS_FILE, customProcessPython } from "../../../src/loihi/emit/lava-custom-process.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { backToBackInput, backToBackModel, checkData } from "./check-data.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { BUILTIN } from "../../support/folded-graphs.ts";

const args = process.argv.slice(2);
const gi = args.indexOf("--lava-graph");
const lavaGraph = gi >= 0;
if (lavaGraph) args.splice(gi, 1);
const ai = args.indexOf("--temporal-norm-approx");
const temporalNorm = ai >= 0 ? "approx" : "exact";
if (ai >= 0) args.splice(ai, 1);
const ti = args.indexOf("--target");
const target = ti >= 0 ? args.splice(ti, 2)[1]! : "loihi2";
const wi = args.indexOf("--weight-planes");
const weightPlanes = wi >= 0 && args.splice(wi, 2)[1] === "2" ? 2 : undefined;
const ni = args.indexOf("--then");
const thenFile = ni >= 0 ? args.splice(ni, 2)[1]! : undefined;
const [modelFile, inputFile, outDir] = args;
if (!modelFile || !inputFile || !outDir) {
  process.stderr.write(
    "usage: export.ts MODEL INPUT OUT_DIR [--target loihi2] [--lava-graph] [--temporal-norm-approx]\n",
  );
  process.exit(2);
}
const g = modelFile.startsWith("builtin:") ? BUILTIN[modelFile.slice(8)]!() : await loadModel(modelFile);
const sample = (f: string) =>
  f.startsWith("seed:") ? randomInputs(g, 1, Number(f.slice(5)))[0]! : readInputs(f, g)[0]!;
const b = buildLoihi(g, { target, file: modelFile, temporalNorm, weightPlanes });
const m1 = b.quant.model;
// back to back: the same network (period runSteps) over 2·runSteps steps, the second sample from step runSteps + 1
const m = thenFile ? backToBackModel(m1) : m1;
const x = thenFile ? backToBackInput(m1, sample(inputFile), sample(thenFile)) : sample(inputFile);
const chk = netxCheck(m1);
mkdirSync(outDir, { recursive: true });
if (lavaGraph) {
  writeFileSync(
    join(outDir, "network.lava.json"),
    lavaProcessGraphJson(m1, { netx: chk.ok ? { written: true } : { written: false, reason: chk.reason } }),
  );
  if (m1.populations.some((p) => p.kind === "multi-threshold"))
    writeFileSync(join(outDir, CUSTOM_PROCESS_FILE), customProcessPython());
} else {
  if (!chk.ok) {
    process.stderr.write(`network.net cannot express this model: ${chk.reason}\n`);
    process.exit(4);
  }
  writeFileSync(join(outDir, "network.net"), writeNetx(m1));
}
const ev = runFixedEvent(m, x, { state: true });
const st = runFixedStepped(m, x, { state: true });
for (const p of m.populations) {
  for (const key of ["u", "v", "r", "spikes"] as const)
    if (JSON.stringify(st[key]?.get(p.id)) !== JSON.stringify(ev[key]?.get(p.id)))
      throw new Error(`engines differ on ${key} of ${p.id}`);
}
const { input, layers } = checkData(m, x, lavaGraph);
const doc = {
  model: modelFile,
  input_file: inputFile,
  ...(thenFile ? { then_file: thenFile } : {}),
  form: lavaGraph ? "lava-graph" : "netx",
  temporal_norm: temporalNorm,
  ...(weightPlanes ? { weight_planes: weightPlanes } : {}),
  target: m.target,
  steps: m.runSteps,
  network_args: { input_message_bits: m.input.messageBits, reset_interval: m1.runSteps, reset_offset: 1 },
  input,
  layers,
};
writeFileSync(join(outDir, "check.json"), JSON.stringify(doc));
process.stdout.write(
  `${modelFile}: ${layers.length} layers, ${m.runSteps} steps, input ${m.input.kind} ${m.input.messageBits} bits → ${outDir}\n`,
);
