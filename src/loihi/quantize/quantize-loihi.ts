/**
 * quantize-loihi: the lowered float graph → the integer model of src/loihi/model/integer-model.ts,
 * in Lava's fixed point (docs/LAVA-FIXED-POINT.md). Pure: graph + target description in, model +
 * report out. The steps, a file each:
 *
 * 1. Synaptic form (synaptic-form.ts, chain-synapses.ts): every neuron and readout becomes a
 *    population, every term of the current reaching it one real-valued connection; depths and
 *    synaptic delays align the branches; state offsets add self-recurrent and pulse synapses.
 * 2. Input (input-encoding.ts): binary spikes, or analog values as graded spikes.
 * 3. Scale (scales.ts): per population one factor g, v_int = 64·g·h, fixed by the threshold and
 *    as large as the weight, bias and state ranges allow.
 * 4. Integers (weights-biases.ts): weights, bias mantissa and exponent, decays.
 * 5. Bounds (bounds.ts): where the rounded integers could wrap or saturate, a warning.
 * 6. State offsets (state-offsets.ts): pulse neurons, the warm-up inhibition, a first-step v0.
 *
 * When netx can carry the network's structure (netx-constraints.ts), the integers keep to what
 * netx can express (weight exponent 0, bias exponent 6), unless weight planes are asked for
 * (weightPlanes: weights beyond 8 bits in two synapse processes, ../model/weight-planes.ts; "auto"
 * chooses them where 8-bit weights would make a layer's spikes depend on rounding, plane-choice.ts).
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph } from "../../ir/nodes.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { TargetSpec } from "../../target/target.ts";
import { inputRangeOf } from "./input-encoding.ts";
import { netxNetworkOf, netxStructure, type NetxCheck } from "./netx-constraints.ts";
import { DRIFT_LIMIT, largestDrift, planesNote } from "./plane-choice.ts";
import { quantizeSynapticForm } from "./quantize-synaptic-form.ts";
import type { QuantizeResult } from "./quantize-types.ts";
import { synapticForm, type SynapticForm } from "./synaptic-form.ts";

export interface LoihiQuantizeOptions<Planes> {
  netx?: "auto" | boolean;
  calibration?: StepInput[];
  vthCap?: number;
  splitScales?: boolean;
  /** Two weight planes where weights need them; "auto": when 8-bit weights make a layer drift (plane-choice.ts). */
  weightPlanes?: Planes;
}

/** Graph → integer model (netx constraints when the structure allows them). */
export function quantizeLoihi(
  g: Graph,
  t: TargetSpec,
  opts: LoihiQuantizeOptions<boolean | "auto"> = {},
): QuantizeResult & { synaptic: SynapticForm; netx: NetxCheck } {
  // a conv's high plane takes graded payloads (its relay's): Loihi 2 only
  if (opts.weightPlanes === true && !t.features.gradedSpikes)
    throw new SnncError("E_TARGET", `weight planes need graded spikes, which ${t.name} does not have`);
  if (opts.weightPlanes !== "auto") return quantizeWith(g, t, { ...opts, weightPlanes: opts.weightPlanes });
  const one = quantizeWith(g, t, { ...opts, weightPlanes: false });
  if (!t.features.gradedSpikes) return one;
  const drift = largestDrift(one.populations, g.meta.timesteps);
  if (!drift || drift.drift <= DRIFT_LIMIT) return one;
  const two = quantizeWith(g, t, { ...opts, weightPlanes: true });
  two.notes.unshift(planesNote(drift));
  return two;
}

function quantizeWith(
  g: Graph,
  t: TargetSpec,
  opts: LoihiQuantizeOptions<boolean>,
): QuantizeResult & { synaptic: SynapticForm; netx: NetxCheck } {
  const sf = synapticForm(g, t);
  const structure = netxStructure(netxNetworkOf(sf));
  // netx has one weight matrix per layer: no place for a second plane
  const netx = opts.weightPlanes ? false : opts.netx === undefined || opts.netx === "auto" ? structure.ok : opts.netx;
  const { range, signed } = inputRangeOf(opts.calibration);
  const r = quantizeSynapticForm(
    sf,
    t,
    { name: g.name, timesteps: g.meta.timesteps, encoding: g.meta.encoding },
    {
      netx,
      inputRange: range,
      inputSigned: signed,
      inputRangeFrom: opts.calibration?.length ? "calibration" : "default",
      vthCap: opts.vthCap,
      splitScales: opts.splitScales,
      weightPlanes: opts.weightPlanes,
    },
  );
  return { ...r, synaptic: sf, netx: structure };
}
