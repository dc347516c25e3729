/**
 * The IR's stateful nodes as NIR neurons, the inverse of the reader's discretisation (docs/FORMATS.md):
 *
 *   neuron, decay 1, no bias          IF(r = gain, v_threshold, v_reset)
 *   neuron, decay 0, gain 1, no bias  Threshold(threshold)
 *   neuron otherwise                  LIF: with k = 1 − decay, τ = dt/k ("euler") or −dt/ln(decay) ("exp"),
 *                                     r = gain/k, v_leak = bias/k
 *   li, decay 1, no bias              I(r = gain)
 *   li otherwise                      LI (τ, r, v_leak per element as LIF)
 *   readout                           I(r = 1), metadata snnc_readout = "mean" | "sum" (other readers see
 *                                     its sum; snnc reads back its Readout)
 *
 * Only hard reset and one threshold exist in NIR; `fire: "ge"` is written as v > θ⁻ with θ⁻ the largest
 * float64 below θ (the same decision in float64). Going back from time constants to decays is not exact in
 * floating point, so each node also carries the exact discrete values in its metadata (snnc_decay,
 * snnc_gain, snnc_bias, snnc_threshold, snnc_fire), which snnc's reader uses when it reads the file
 * with the dt and method stated in the graph's metadata.
 */
import type { IRNode, LeakyIntegratorNode, NeuronNode, ReadoutNode } from "../ir/nodes.ts";
import { broadcastTo } from "../ir/tensor.ts";
import { type Emission, nirOrder, type Source } from "./emit-context.ts";
import { f64, type H5Tree, str } from "./hdf5-write.ts";

/** The largest float64 below x (x itself for −∞). */
export function nextDown(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === Infinity) return Number.MAX_VALUE;
  if (x === 0) return -Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  u[0] = x > 0 ? u[0]! - 1n : u[0]! + 1n;
  return b[0]!;
}

/** Time constants of decays (per value) for the emission's dt and method. */
function taus(e: Emission, n: IRNode, decay: Float64Array): Float64Array {
  return Float64Array.from(decay, (d) => {
    if (d >= 1) throw e.refuse(n, "a decay of 1 with a bias (NIR's IF and I have no v_leak)", "bias");
    if (e.method === "euler") return e.dt / (1 - d);
    if (d <= 0) throw e.refuse(n, `decay 0 with --dt-method exp (τ would be 0); write it with the euler method`, "tau");
    return -e.dt / Math.log(d);
  });
}

const div = (a: Float64Array, b: Float64Array) => Float64Array.from(a, (x, i) => x / b[i]!);

/** NIR's leaky parameters: τ, r = gain/(1 − decay) and v_leak = bias/(1 − decay). */
function leakyParams(e: Emission, n: IRNode, src: Source, decay: Float64Array, gain: Float64Array, bias: Float64Array) {
  const k = Float64Array.from(decay, (d) => 1 - d);
  return { tau: nirOrder(taus(e, n, decay), src), r: nirOrder(div(gain, k), src), v_leak: nirOrder(div(bias, k), src) };
}

/** Adds the element-wise NIR node of IR node `id`: it keeps the layout of its source. */
function addInLayout(e: Emission, id: string, node: H5Tree, src: Source): void {
  const name = e.name(id);
  e.add(name, node, src);
  e.sources.set(id, { ...src, names: [name] });
}

export function emitNeuron(e: Emission, n: NeuronNode): void {
  const why = (what: string, param?: string) => e.refuse(n, what, param);
  if (n.mpbn || n.plifA !== undefined) throw why("MPBN or PLIF's a is still unfolded: compile folds it first");
  if (n.schedule) throw why("per-step neuron parameters (a BNTT / TEBN / TAB schedule)", "schedule");
  if (n.planeThresholds?.length) throw why("a multi-threshold neuron (NIR neurons have one threshold)", "deltas");
  if (n.reset === "soft") throw why("soft reset (NIR's neurons reset to v_reset)", "reset");
  if (n.selfWeight) throw why("a self-recurrent weight on the membrane", "selfWeight");
  if (n.v0?.data.some((v) => v !== 0)) throw why("an initial state v0 ≠ 0", "v0");
  const src = e.source(n.inputs[0]!);
  if (src.pad) throw why("a neuron reads a padded value");
  const S = n.shape!;
  const gain = broadcastTo(n.gain, S);
  const bias = broadcastTo(n.bias, S);
  const theta = broadcastTo(n.threshold, S);
  const ge = n.fire === "ge";
  const node: H5Tree = {};
  const md: H5Tree = {
    snnc_v_threshold: f64([n.vThreshold], []),
    snnc_reset_amount: nirOrder(broadcastTo(n.resetAmount, S), src),
  };
  const thr = nirOrder(ge ? theta.map(nextDown) : theta, src);
  if (ge) {
    md.snnc_fire = str("ge");
    md.snnc_threshold = nirOrder(theta, src);
  }
  const noBias = bias.every((b) => b === 0);
  const vReset = broadcastTo(n.vReset, S);
  if (n.decay === 1 && noBias) {
    Object.assign(node, { type: str("IF"), r: nirOrder(gain, src), v_threshold: thr, v_reset: nirOrder(vReset, src) });
  } else if (n.decay === 0 && noBias && gain.every((g) => g === 1) && !ge) {
    // No memory: the reset value is never read again.
    Object.assign(node, { type: str("Threshold"), threshold: thr });
  } else {
    const decay = new Float64Array(gain.length).fill(n.decay);
    Object.assign(node, {
      type: str("LIF"),
      ...leakyParams(e, n, src, decay, gain, bias),
      v_threshold: thr,
      v_reset: nirOrder(vReset, src),
    });
    Object.assign(md, {
      snnc_decay: f64([n.decay], []),
      snnc_gain: nirOrder(gain, src),
      snnc_bias: nirOrder(bias, src),
    });
  }
  node.metadata = md;
  addInLayout(e, n.id, node, src);
}

export function emitLi(e: Emission, n: LeakyIntegratorNode): void {
  const src = e.source(n.inputs[0]!);
  if (src.pad) throw e.refuse(n, "a leaky integrator reads a padded value");
  const S = n.shape!;
  const decay = broadcastTo(n.decay, S);
  const gain = broadcastTo(n.gain, S);
  const bias = broadcastTo(n.bias, S);
  let node: H5Tree;
  if (decay.every((d) => d === 1) && bias.every((b) => b === 0)) {
    node = { type: str("I"), r: nirOrder(gain, src) };
  } else {
    node = {
      type: str("LI"),
      ...leakyParams(e, n, src, decay, gain, bias),
      metadata: { snnc_decay: nirOrder(decay, src), snnc_gain: nirOrder(gain, src), snnc_bias: nirOrder(bias, src) },
    };
  }
  addInLayout(e, n.id, node, src);
}

export function emitReadout(e: Emission, n: ReadoutNode): void {
  const src = e.source(n.inputs[0]!);
  if (src.pad) throw e.refuse(n, "a readout of a padded value");
  const ones = new Float64Array(broadcastTo({ shape: [], data: Float64Array.of(1) }, n.shape!));
  addInLayout(e, n.id, { type: str("I"), r: nirOrder(ones, src), metadata: { snnc_readout: str(n.mode) } }, src);
}
