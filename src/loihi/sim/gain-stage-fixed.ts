/**
 * The per-step gain stage of a population whose synaptic current a per-step norm scales (BNTT,
 * TEBN, TAB lowered exactly, docs/LOIHI-SEEDS.md §2): Lava's `ProdNeuron` run by its fixed-point
 * model, between the synapses and the neuron, with threshold 0:
 *
 *   x = (a_1 · a_2) >> exp        a_1: the gated synapses' sum, a_2: the gain the schedule's
 *                                 pulses deliver this step; int32 product, arithmetic shift
 *   out = x where |x| > 0         (so x itself), straight into the neuron's input port
 *
 * Its output reaches the neuron in the same step (a port-to-port connection adds no step).
 */
import { shiftRight, wrap32 } from "./fixed-arith.ts";

/** One neuron of the gain stage: numpy's int32 product (wraps) and `>>` (floor). */
export function gainStage(gated: number, gain: number, exp: number): number {
  return shiftRight(Math.imul(wrap32(gated), wrap32(gain)), exp);
}

/** The whole stage: out[i] = gainStage(gated[i], gain[i], exp), added into `acc`. */
export function addGainStage(gated: ArrayLike<number>, gain: ArrayLike<number>, exp: number, acc: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + gainStage(gated[i]!, gain[i]!, exp);
}
