/**
 * Neurons of the `ai.snnc` domain (LIF, IF, PLIF, MultiThresholdLIF) → IR neuron nodes, with the
 * defaults of SEMANTICS.md: fire "gt", reset "hard", v_reset 0, MPBN ε 1e-5. Inputs: X, `a`
 * (PLIF only, else empty), then the optional MPBN inputs mpbn_gamma, mpbn_beta,
 * mpbn_moving_mean, mpbn_moving_variance: [C] (mpbn_mode "channel"), or per element [C, H, W]
 * of an NCHW activation / [F] of a flat one (mpbn_mode "element").
 */
import type { MPBN, NeuronNode } from "../../ir/nodes.ts";
import { scalar, tensor, type Tensor } from "../../ir/tensor.ts";
import type { Converter, NodeCtx } from "./context.ts";
import { channelParam } from "./elementwise-ops.ts";
import { chwToHwc, dimsStr, irShape, permute, squeezeDims, type ActVal } from "./values.ts";

const SNN_EPS = 1e-5;
const NEURON_ATTRS = ["v_threshold", "reset", "v_reset", "fire", "mpbn_mode", "mpbn_epsilon"];

/** A per-element parameter: [C, H, W] (or [1, C, H, W]) of an NCHW activation, [F] of a flat one. */
function elementParam(c: NodeCtx, i: number, what: string, a: ActVal): Tensor {
  const p = c.param(i, what);
  const want = a.dims.slice(1);
  const d = p.dims.length === want.length + 1 && p.dims[0] === 1 ? p.dims.slice(1) : p.dims;
  if (d.length !== want.length || !d.every((x, k) => x === want[k])) {
    c.fail(
      "E_WEIGHT",
      `${what} '${p.name}' has shape ${dimsStr(p.dims)}, expected ${dimsStr(want)} (per element)`,
      what,
    );
  }
  if (a.dims.length === 2) return tensor(irShape(a), permute(p.data, a.perm));
  const [, C, H, W] = a.dims as [number, number, number, number];
  return tensor([H, W, C], chwToHwc(p.data, C, H, W));
}

function mpbn(c: NodeCtx, x: ActVal): MPBN | undefined {
  const given = [2, 3, 4, 5].filter((i) => c.value(i) !== undefined).length;
  const hasMode = c.attrs.has("mpbn_mode");
  if (given === 0 && !hasMode) return undefined;
  if (given !== 4)
    c.fail(
      "E_WEIGHT",
      `MPBN needs all four inputs 2..5 (mpbn_gamma, mpbn_beta, mpbn_moving_mean, mpbn_moving_variance), got ${given}`,
    );
  const mode = c.attrs.oneOf("mpbn_mode", ["channel", "element"]);
  const get = (i: number, what: string) =>
    mode === "channel" ? channelParam(c, i, what, x) : elementParam(c, i, what, x);
  return {
    mode,
    gamma: get(2, "mpbn_gamma"),
    beta: get(3, "mpbn_beta"),
    mean: get(4, "mpbn_moving_mean"),
    variance: get(5, "mpbn_moving_variance"),
    epsilon: c.attrs.float("mpbn_epsilon", SNN_EPS),
  };
}

function plifA(c: NodeCtx): number {
  const a = c.param(1, "a");
  if (squeezeDims(a.dims).length !== 0 || a.dims.length > 1) {
    c.fail(
      "E_WEIGHT",
      `a '${a.name}' has shape ${dimsStr(a.dims)}, expected [] or [1] (one learnt time constant)`,
      "a",
    );
  }
  return a.data[0]!;
}

function neuron(c: NodeCtx, kind: "IF" | "LIF" | "PLIF", deltas?: number[]): ActVal {
  if (c.inputCount > 6) c.fail("E_FORMAT", `${c.op} takes at most 6 inputs (X, a, 4 MPBN), got ${c.inputCount}`);
  const x = c.act(0, "X");
  if (kind !== "PLIF" && c.value(1))
    c.fail("E_FORMAT", `${c.op} with neuron ${kind} takes no input 'a' (input 1 is PLIF's)`);
  const theta = c.attrs.float("v_threshold");
  const vReset = c.attrs.float("v_reset", 0);
  let decay = 1;
  let gain = 1;
  let bias = 0;
  let a: number | undefined;
  if (kind === "LIF") {
    decay = c.attrs.float("tau");
    if (!(decay > 0 && decay <= 1)) {
      const hint = decay > 1 ? ` (a membrane time constant τ_m is written as tau = 1-1/τ_m = ${1 - 1 / decay})` : "";
      c.fail("E_VALUE", `tau ${decay} is not a decay factor in (0, 1]${hint}`, "tau");
    }
  } else if (kind === "PLIF") {
    // MT-SNN Eq. 6/8: h = (1-1/τm) v + (1/τm) c + v_reset/τm, τm = 1 + exp(-a).
    a = plifA(c);
    const tauM = 1 + Math.exp(-a);
    decay = 1 - 1 / tauM;
    gain = 1 / tauM;
    bias = vReset / tauM;
  }
  const node: Omit<NeuronNode, "id" | "origin"> = {
    op: "neuron",
    inputs: [x.id],
    model: deltas ? (kind === "PLIF" ? "MT-PLIF" : "MT-LIF") : kind,
    decay,
    gain: scalar(gain),
    bias: scalar(bias),
    fire: c.attrs.oneOf("fire", ["gt", "ge"], "gt"),
    reset: c.attrs.oneOf("reset", ["hard", "soft"], "hard"),
    threshold: scalar(theta),
    vReset: scalar(vReset),
    resetAmount: scalar(theta),
    vThreshold: theta,
  };
  if (a !== undefined) node.plifA = a;
  if (deltas) {
    node.deltas = [...deltas];
    node.planeThresholds = deltas.map((d) => scalar(theta + d));
  }
  const m = mpbn(c, x);
  if (m) node.mpbn = m;
  return c.emit(node, [...x.dims], { perm: x.perm, nonNeg: true });
}

export const lif: Converter = (c) => {
  c.attrs.only(["tau", ...NEURON_ATTRS]);
  return neuron(c, "LIF");
};

export const ifNeuron: Converter = (c) => {
  c.attrs.only(NEURON_ATTRS);
  return neuron(c, "IF");
};

export const plif: Converter = (c) => {
  c.attrs.only(NEURON_ATTRS);
  return neuron(c, "PLIF");
};

export const multiThreshold: Converter = (c) => {
  c.attrs.only(["tau", "deltas", "neuron", ...NEURON_ATTRS]);
  const kind = c.attrs.oneOf("neuron", ["LIF", "PLIF"], "LIF");
  if (kind === "PLIF" && c.attrs.has("tau")) c.fail("E_FORMAT", `a PLIF-based MultiThresholdLIF takes no 'tau'`, "tau");
  const deltas = c.attrs.floats("deltas");
  if (deltas.length === 0)
    c.fail("E_FORMAT", `'deltas' is empty (a multi-threshold layer needs at least one extra plane)`, "deltas");
  return neuron(c, kind, deltas);
};
