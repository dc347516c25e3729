/**
 * SNN layers of FORMATS.md §1 (custom class names) → IR nodes, with the defaults of
 * SEMANTICS.md §1-§2: fire "gt", reset "hard", v_reset 0, Readout "mean", ε 1e-5.
 */
import { SnncError } from "../../ir/errors.ts";
import type { BNTTNode, MPBN, NeuronNode, TABNode } from "../../ir/nodes.ts";
import { scalar } from "../../ir/tensor.ts";
import { Config } from "./config.ts";
import type { Converted, LayerCtx } from "./layer-context.ts";

const SNN_EPS = 1e-5;

const base = (c: LayerCtx) => ({ id: c.name, inputs: [...c.inputs], origin: [`tfjs:${c.spec.className} '${c.name}'`] });

/** BN statistics per channel: the weights `<prefix>gamma`, `beta`, `moving_mean`, `moving_variance`. */
function channelStats(c: LayerCtx, prefix = "") {
  return {
    gamma: c.weight(`${prefix}gamma`),
    beta: c.weight(`${prefix}beta`),
    mean: c.weight(`${prefix}moving_mean`),
    variance: c.weight(`${prefix}moving_variance`),
  };
}

/** The config of the per-step norms (BNTT, TEBN, TAB). */
function stepConfig(c: LayerCtx) {
  return { timesteps: c.cfg.int("timesteps"), epsilon: c.cfg.number("epsilon", SNN_EPS) };
}

/** `mpbn: {mode, epsilon}` on a neuron layer, with its weights `mpbn_*`. */
function mpbn(c: LayerCtx): MPBN | undefined {
  const raw = c.cfg.object("mpbn");
  if (!raw) {
    if (c.optionalWeight("mpbn_gamma")) {
      throw new SnncError(
        "E_FORMAT",
        `the layer has MPBN weights ('mpbn_gamma', ...) but its config has no 'mpbn' {mode, epsilon}`,
        { param: "mpbn" },
      );
    }
    return undefined;
  }
  const m = new Config(raw, "mpbn.");
  return {
    mode: m.oneOf("mode", ["channel", "element"]),
    ...channelStats(c, "mpbn_"),
    epsilon: m.number("epsilon", SNN_EPS),
  };
}

/** PLIF's learnt `a`, shape [] or [1]. */
function plifA(c: LayerCtx): number {
  const a = c.weight("a");
  if (!(a.shape.length === 0 || (a.shape.length === 1 && a.shape[0] === 1))) {
    throw new SnncError(
      "E_WEIGHT",
      `weight '${c.name}/a' has shape [${a.shape.join(",")}], expected [] or [1] (one learnt time constant per layer)`,
      { param: "a" },
    );
  }
  return a.data[0]!;
}

interface Dynamics {
  model: "IF" | "LIF" | "PLIF";
  decay: number;
  gain: number;
  bias: number;
  plifA?: number;
}

function dynamics(c: LayerCtx, kind: "IF" | "LIF" | "PLIF", vReset: number): Dynamics {
  if (kind === "IF") return { model: "IF", decay: 1, gain: 1, bias: 0 };
  if (kind === "LIF") {
    const tau = c.cfg.number("tau");
    if (!(tau > 0 && tau <= 1)) {
      const hint = tau > 1 ? ` (a membrane time constant τ_m is written as tau = 1-1/τ_m = ${1 - 1 / tau})` : "";
      throw new SnncError("E_VALUE", `tau ${tau} is not a decay factor in (0, 1]${hint}`, { param: "tau" });
    }
    return { model: "LIF", decay: tau, gain: 1, bias: 0 };
  }
  // PLIF (MT-SNN Eq. 6/8): h = (1-1/τm) v + (1/τm) c + v_reset/τm, τm = 1 + exp(-a).
  const a = plifA(c);
  const tauM = 1 + Math.exp(-a);
  return { model: "PLIF", decay: 1 - 1 / tauM, gain: 1 / tauM, bias: vReset / tauM, plifA: a };
}

function neuron(c: LayerCtx, kind: "IF" | "LIF" | "PLIF", deltas?: number[]): NeuronNode {
  const theta = c.cfg.number("v_threshold");
  const reset = c.cfg.oneOf("reset", ["hard", "soft"], "hard");
  const vReset = c.cfg.number("v_reset", 0);
  const fire = c.cfg.oneOf("fire", ["gt", "ge"], "gt");
  const d = dynamics(c, kind, vReset);
  const node: NeuronNode = {
    ...base(c),
    op: "neuron",
    model: deltas ? (d.model === "PLIF" ? "MT-PLIF" : "MT-LIF") : d.model,
    decay: d.decay,
    gain: scalar(d.gain),
    bias: scalar(d.bias),
    fire,
    reset,
    threshold: scalar(theta),
    vReset: scalar(vReset),
    resetAmount: scalar(theta),
    vThreshold: theta,
  };
  if (d.plifA !== undefined) node.plifA = d.plifA;
  if (deltas) {
    node.deltas = [...deltas];
    node.planeThresholds = deltas.map((delta) => scalar(theta + delta));
  }
  const m = mpbn(c);
  if (m) node.mpbn = m;
  return node;
}

export const lif = (c: LayerCtx): Converted => neuron(c, "LIF");
export const ifNeuron = (c: LayerCtx): Converted => neuron(c, "IF");
export const plif = (c: LayerCtx): Converted => neuron(c, "PLIF");

export function multiThreshold(c: LayerCtx): Converted {
  const kind = c.cfg.oneOf("neuron", ["LIF", "PLIF"], "LIF");
  const deltas = c.cfg.numberList("deltas");
  if (deltas.length === 0)
    throw new SnncError(
      "E_FORMAT",
      `config 'deltas' is empty (a multi-threshold layer needs at least one extra plane)`,
      { param: "deltas" },
    );
  return neuron(c, kind, deltas);
}

export function tdbn(c: LayerCtx): Converted {
  return {
    ...base(c),
    op: "tdbn",
    alpha: c.cfg.number("alpha"),
    vth: c.cfg.number("v_threshold"),
    epsilon: c.cfg.number("epsilon", SNN_EPS),
    ...channelStats(c),
  };
}

/**
 * A per-step norm whose [T, C] parameters are the weights listed as [IR field, weight name]
 * (read in that order).
 */
function perStepNorm<N extends BNTTNode | TABNode>(
  op: N["op"],
  params: readonly [Exclude<keyof N, keyof BNTTNode & keyof TABNode>, string][],
): (c: LayerCtx) => Converted {
  return (c) => {
    const node: Record<string, unknown> = { ...base(c), op, ...stepConfig(c) };
    for (const [field, name] of params) node[field as string] = c.weight(name);
    return node as unknown as Converted;
  };
}

export const bntt = perStepNorm<BNTTNode>("bntt", [
  ["gamma", "gamma"],
  ["mean", "moving_mean"],
  ["variance", "moving_variance"],
]);

export function tebn(c: LayerCtx): Converted {
  return {
    ...base(c),
    op: "tebn",
    ...stepConfig(c),
    ...channelStats(c),
    p: c.weight("p"),
  };
}

export const tab = perStepNorm<TABNode>("tab", [
  ["gammaHat", "gamma_hat"],
  ["betaHat", "beta_hat"],
  ["meanAcc", "moving_mean_acc"],
  ["varAcc", "moving_var_acc"],
]);

export function pspNorm(c: LayerCtx): Converted {
  const mode = c.cfg.oneOf("mode", ["bn", "ln"]);
  const lambda = c.cfg.number("lambda");
  if (mode === "ln") return { ...base(c), op: "pspnorm", mode, lambda };
  return { ...base(c), op: "pspnorm", mode, lambda, gamma: c.weight("gamma"), sqMean: c.weight("moving_sq_mean") };
}

export function readout(c: LayerCtx): Converted {
  return { ...base(c), op: "readout", mode: c.cfg.oneOf("mode", ["mean", "sum"], "mean") };
}
