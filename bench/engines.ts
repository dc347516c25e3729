/**
 * The two integer engines on a CIFAR-size network at chosen firing rates: synaptic events per
 * second of the event-driven engine (Σ spikes × fan-out, counted by the engines themselves) and its
 * speed-up over the time-stepped engine, both as verify runs it (inputs that are 0 left out) and in
 * its dense form (every synapse at every step), measured in the same run on the same model.
 *
 * The network is VGG-16 at half width (32..256 channels, fan-out 288..2,304 synapses per spike)
 * compiled for loihi2; the firing rate (spikes per LIF neuron per Lava step) is set by scaling every
 * LIF threshold of the integer model (bisection), so the engines see the same weights at every rate.
 * Times are CPU time of this single thread (the machine is shared), medians of a few runs.
 */
import type * as Build from "../src/loihi/build.ts";
import type { FixedModel } from "../src/loihi/model/integer-model.ts";
import type * as Event from "../src/loihi/sim/run-event.ts";
import type * as Stepped from "../src/loihi/sim/run-stepped.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { randomInputs } from "../src/inputs/random-inputs.ts";
import { vgg16 } from "./cifar-models.ts";
import { dist, measure } from "./common.ts";

export interface EngineRow {
  target: number;
  rate: number;
  synapticEvents: number;
  inputShare: number;
  eventCpuMs: number;
  steppedCpuMs: number;
  denseCpuMs: number;
  eventsPerSec: number;
  hiddenEventsPerSec: number;
  speedup: number;
  denseSpeedup: number;
}

function withThresholds(m: FixedModel, f: number): FixedModel {
  return {
    ...m,
    populations: m.populations.map((p) =>
      p.kind === "lif" ? { ...p, vth: Math.max(1, Math.min(131071, Math.round(p.vth * f))) } : p,
    ),
  };
}

export async function engineSweep(rates: number[], reps: number): Promise<{ model: string; rows: EngineRow[] }> {
  const { buildLoihi } = await dist<typeof Build>("loihi/build.js");
  const { runFixedEvent } = await dist<typeof Event>("loihi/sim/run-event.js");
  const { runFixedStepped } = await dist<typeof Stepped>("loihi/sim/run-stepped.js");
  const g = inferShapes(vgg16(4, 2, 1, 0.5));
  const m0 = buildLoihi(g, { target: "loihi2", board: "hala-point" }).quant.model;
  const [x] = randomInputs(g, 1, 42);
  const lifNeurons = m0.populations
    .filter((p) => p.kind === "lif")
    .reduce((a, p) => a + p.shape.reduce((u, v) => u * v, 1), 0);
  const rateOf = (m: FixedModel) => runFixedEvent(m, x!, { record: false }).stats.spikes / (lifNeurons * m.runSteps);
  const rows: EngineRow[] = [];
  for (const target of rates) {
    let lo = 1 / 64;
    let hi = 64;
    for (let i = 0; i < 12; i++) {
      const mid = Math.sqrt(lo * hi);
      if (rateOf(withThresholds(m0, mid)) > target) lo = mid;
      else hi = mid;
    }
    const m = withThresholds(m0, Math.sqrt(lo * hi));
    const run = runFixedEvent(m, x!, { record: false });
    const ev = measure(() => runFixedEvent(m, x!, { record: false }), reps);
    const st = measure(() => runFixedStepped(m, x!, { record: false }), 1);
    const dense = measure(() => runFixedStepped(m, x!, { record: false, dense: true }), 1);
    const s = run.stats;
    rows.push({
      target,
      rate: s.spikes / (lifNeurons * m.runSteps),
      synapticEvents: s.synapticEvents,
      inputShare: s.inputSynapticEvents / s.synapticEvents,
      eventCpuMs: ev.cpu,
      steppedCpuMs: st.cpu,
      denseCpuMs: dense.cpu,
      eventsPerSec: s.synapticEvents / (ev.cpu / 1000),
      hiddenEventsPerSec: (s.synapticEvents - s.inputSynapticEvents) / (ev.cpu / 1000),
      speedup: st.cpu / ev.cpu,
      denseSpeedup: dense.cpu / ev.cpu,
    });
  }
  return { model: `VGG-16 ×0.5 (CIFAR 32×32×3, T = 4, ${lifNeurons} LIF neurons, ${m0.runSteps} Lava steps)`, rows };
}
