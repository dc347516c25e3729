/**
 * What the Loihi target writes for soft reset (ATRLIF and its Reset processes), per-step norms
 * (ProdNeuron gain stages, ports) and MT neurons (snnc's own MultiThresholdLIF, its Python file and
 * graded readers), the report's "Lava processes" section, the scale split of threshold precision,
 * and that it is deterministic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel } from "../../../src/frontends/index.ts";
import { driverFor } from "../../../src/driver/index.ts";
import { outputBytes } from "../../../src/driver/output-content.ts";
import { buildLoihi, withTimesteps } from "../../../src/loihi/build.ts";
import { CUSTOM_PROCESS_FILE, customProcessPython } from "../../../src/loihi/emit/lava-custom-process.ts";
import { scaleGroups } from "../../../src/loihi/quantize/split-scales.ts";
import { fixedRunAsRunResult } from "../../../src/loihi/sim/engine-common.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";

interface Pop {
  id: string;
  kind: string;
  process: string;
  neurons: number;
  theta_0?: number;
  dr?: number;
  reset?: { process: string; interval: number; offset: number; values: Record<string, number> };
  reset_offset: number;
  reset_interval: number;
  gain_stage?: { process: string; vth: number; exp: number };
  thresholds?: number[][];
  custom?: string;
}
interface Conn {
  id: string;
  from: string;
  to: string;
  port?: string;
  num_message_bits: number;
}

async function compiled(f: string) {
  const g = await loadModel(`fixtures/${f}/model.json`);
  const r = await driverFor("loihi2").compile(g, { target: "loihi2" });
  const text = outputBytes(r.files.get("network.lava.json")!).toString("utf8");
  const doc = JSON.parse(text) as { populations: Pop[]; connections: Conn[] };
  return { r, doc, report: r.files.get("report.txt") as string };
}

test("bntt: ATRLIF populations with their Reset schedule, gain stages and the ports their connections feed", async () => {
  const { doc, report } = await compiled("bntt");
  const lif1 = doc.populations.find((p) => p.id === "lif1")!;
  assert.equal(lif1.kind, "atrlif");
  assert.equal(lif1.process, "lava.proc.atrlif.process.ATRLIF");
  assert.ok(lif1.theta_0! >= 1 && lif1.theta_0! <= 4095);
  // Reset writes at the end of step d (mod runSteps): offset (d + 1 − 2) mod interval
  assert.equal(lif1.reset!.process, "lava.proc.io.reset.Reset");
  assert.equal(lif1.reset!.offset, (lif1.reset_offset - 2 + lif1.reset_interval) % lif1.reset_interval);
  assert.deepEqual(Object.keys(lif1.reset!.values), ["i", "v", "r"]);
  // a plain soft reset: the state offset is −θ, so v starts at exactly −64·theta_0
  assert.equal(lif1.reset!.values.v, -64 * lif1.theta_0!);
  assert.equal(lif1.gain_stage!.process, "lava.proc.prodneuron.process.ProdNeuron");
  assert.equal(lif1.gain_stage!.vth, 0);
  const into = doc.connections.filter((c) => c.to === "lif1");
  assert.deepEqual(
    into.filter((c) => c.port === "a_in1").map((c) => c.from),
    ["input"],
  );
  const gains = into.filter((c) => c.port === "a_in2");
  assert.ok(gains.length >= 5 && gains.every((c) => c.from.startsWith("pulse_")));
  assert.ok(into.some((c) => c.id.startsWith("lif1/bias") && c.port === undefined));
  assert.match(report, /\nLava processes\n-+\nsoft reset on lava\.proc\.atrlif ATRLIF/);
  assert.match(report, /per-step gain stages: lava\.proc\.prodneuron ProdNeuron/);
});

test("mt-lif: snnc's MultiThresholdLIF with per-neuron thresholds, graded readers, its Python process file", async () => {
  const { r, doc, report } = await compiled("mt-lif");
  const mt2 = doc.populations.find((p) => p.id === "mt2")!;
  assert.equal(mt2.kind, "multi-threshold");
  assert.equal(mt2.process, "snnc_lava_processes.MultiThresholdLIF");
  assert.equal(mt2.thresholds!.length, 4); // θ and three planes
  assert.ok(mt2.thresholds!.every((t) => t.length === mt2.neurons));
  assert.match(mt2.custom!, /neuron program of its own/);
  for (const c of doc.connections.filter((x) => x.from === "mt1" || x.from === "mt2"))
    assert.equal(c.num_message_bits, 8, `${c.id} takes the graded s_sum`);
  const py = r.files.get(CUSTOM_PROCESS_FILE) as string;
  assert.equal(py, customProcessPython());
  assert.match(py, /class MultiThresholdLIF\(AbstractProcess\)/);
  assert.match(py, /@tag\("fixed_pt"\)\nclass PyMultiThresholdLIFModelFixed\(PyLoihiProcessModel\)/);
  assert.match(report, /'mt1' \(3 thresholds\), 'mt2' \(4 thresholds\)/);
  // the quantisation table gives the range of the per-neuron thresholds, not the unused vth 0
  const row = report.split("\n").find((l) => l.startsWith("mt1 "))!;
  const [lo, hi] = row.split(/\s+/)[4]!.split("..").map(Number);
  assert.ok(lo! > 0 && hi! >= lo!, row);
  assert.match(report, /need a custom neuron program on the chip/);
  assert.match(report, /snnc_lava_processes\.py: snnc's own Lava process/);
  // deterministic: the same bytes again
  const again = await compiled("mt-lif");
  for (const [k, v] of r.files) assert.deepEqual(outputBytes(again.r.files.get(k)!), outputBytes(v), k);
});

test("scale groups: runs of log2 g, each group at its smallest, added only when they save enough", () => {
  // two clusters far apart: two groups; one cluster: one
  assert.deepEqual([...scaleGroups(Float64Array.of(1, 1.2, 8, 8.5, 1.1), 3, 5)], [0, 0, 1, 1, 0]);
  assert.deepEqual([...scaleGroups(Float64Array.of(3, 3.2, 3.1), 3, 3)], [0, 0, 0]);
  // three clusters, but at most two groups
  assert.deepEqual([...scaleGroups(Float64Array.of(0, 5, 10, 10, 5, 0), 2, 1)], [0, 1, 1, 1, 1, 0]);
  assert.deepEqual([...scaleGroups(Float64Array.of(0, 5, 10, 10, 5, 0), 3, 1)], [0, 1, 2, 2, 1, 0]);
});

test("mpbn-element: lif1 split by scale into two populations whose spikes add up to the layer's", async () => {
  const g = await loadModel("fixtures/mpbn-element/model.json");
  const b = buildLoihi(g, { target: "loihi2" });
  assert.equal(b.quant.splits.length, 1);
  const s = b.quant.splits[0]!;
  assert.equal(s.id, "lif1");
  assert.deepEqual(
    s.parts.map((p) => p.id),
    ["lif1_part1", "lif1_part2"],
  );
  assert.equal(
    s.parts.reduce((a, p) => a + p.neurons, 0),
    108,
  );
  assert.ok(s.bitsAfter < s.bitsBefore - 1);
  const m = b.quant.model;
  const parts = m.populations.filter((p) => p.source === "lif1");
  assert.equal(parts.length, 2);
  // disjoint: a neuron spikes in at most one copy, and the merged trace is what verify compares
  const x = randomInputs(g, 1, 3)[0]!;
  const run = runFixedStepped(m, x);
  const [a, c] = parts.map((p) => run.spikes.get(p.id)!);
  for (const [n, row] of a!.entries())
    for (const [i, v] of row.entries()) assert.ok(!(v && c![n]![i]), `neuron ${i} at step ${n + 1}`);
  const merged = fixedRunAsRunResult(m, run).traces.get("lif1")!;
  assert.equal(merged.out[2]![5], a![2]![5]! + c![2]![5]!);
  // and the report says so
  const r = await driverFor("loihi2").compile(g, { target: "loihi2" });
  assert.match(
    r.files.get("report.txt") as string,
    /threshold precision: 'lif1' split by neuron into 'lif1_part1' \(\d+ neurons\), 'lif1_part2' \(\d+ neurons\)/,
  );
});

test("a shorter run of a per-step norm's model drops the pulses of the steps it does not run", async () => {
  const g = await loadModel("fixtures/tebn/model.json");
  const m = buildLoihi(g, { target: "loihi2" }).quant.model;
  const short = withTimesteps(m, 2);
  assert.ok(short.populations.length < m.populations.length);
  for (const p of short.populations) if (p.kind === "pulse") assert.ok(p.phase! < short.runSteps, p.id);
  assert.ok(short.connections.every((c) => short.populations.some((p) => p.id === c.from) || c.from === m.input.id));
  const x = randomInputs(g, 1, 5)[0]!;
  assert.deepEqual(runFixedStepped(short, x, { state: true }).v, runFixedEvent(short, x, { state: true }).v);
});
