/**
 * Normalisations and the readout of the `ai.snnc` domain → IR nodes: TdBN, BNTT, TEBN, TAB,
 * PSPNorm ([C] per channel, [T, C] per step; TEBN's p [T] or [T, C]) and Readout ("mean"
 * default). ε defaults to 1e-5. Parameters of a flattened C×H×W activation follow its feature
 * order (values.ts).
 */
import type { BNTTNode, TABNode } from "../../ir/nodes.ts";
import { tensor, type Tensor } from "../../ir/tensor.ts";
import type { Converter, NodeBody, NodeCtx } from "./context.ts";
import { channelParam } from "./elementwise-ops.ts";
import { dimsStr, permute, type ActVal } from "./values.ts";

const SNN_EPS = 1e-5;

/** A per-step, per-channel parameter [T, C] (rows in the IR's feature order). */
function stepParam(c: NodeCtx, i: number, what: string, a: ActVal): Tensor {
  const p = c.param(i, what);
  const C = a.dims[1]!;
  if (p.dims.length !== 2 || p.dims[1] !== C) {
    c.fail("E_WEIGHT", `${what} '${p.name}' has shape ${dimsStr(p.dims)}, expected [T,${C}] (steps, channels)`, what);
  }
  const T = p.dims[0]!;
  if (a.dims.length === 4 || !a.perm) return tensor([T, C], p.data);
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) out.set(permute(p.data.subarray(t * C, (t + 1) * C), a.perm), t * C);
  return tensor([T, C], out);
}

function normInput(c: NodeCtx, n: number, attrs: string[]): ActVal {
  c.arity(n);
  c.attrs.only(attrs);
  return c.act(0, "X");
}

/** BN statistics per channel from inputs 1-4: gamma, beta, moving_mean, moving_variance. */
function channelStats(c: NodeCtx, x: ActVal) {
  return {
    gamma: channelParam(c, 1, "gamma", x),
    beta: channelParam(c, 2, "beta", x),
    mean: channelParam(c, 3, "moving_mean", x),
    variance: channelParam(c, 4, "moving_variance", x),
  };
}

/** A node of x's shape and feature order. */
function emitLike(c: NodeCtx, x: ActVal, body: NodeBody): ActVal {
  return c.emit(body, [...x.dims], { perm: x.perm });
}

export const tdbn: Converter = (c) => {
  const x = normInput(c, 5, ["alpha", "v_threshold", "epsilon"]);
  const alpha = c.attrs.float("alpha");
  const vth = c.attrs.float("v_threshold");
  const epsilon = c.attrs.float("epsilon", SNN_EPS);
  return emitLike(c, x, { op: "tdbn", inputs: [x.id], alpha, vth, epsilon, ...channelStats(c, x) });
};

/** The attributes of the per-step norms (BNTT, TEBN, TAB). */
function stepAttrs(c: NodeCtx) {
  return { timesteps: c.attrs.int("timesteps"), epsilon: c.attrs.float("epsilon", SNN_EPS) };
}

/**
 * A per-step norm whose inputs 1.. are [T, C] parameters, listed in input order as [IR field,
 * ONNX input name].
 */
function perStepNorm<N extends BNTTNode | TABNode>(
  op: N["op"],
  params: readonly [Exclude<keyof N, keyof BNTTNode & keyof TABNode>, string][],
): Converter {
  return (c) => {
    const x = normInput(c, params.length + 1, ["timesteps", "epsilon"]);
    const body: Record<string, unknown> = { op, inputs: [x.id], ...stepAttrs(c) };
    for (const [k, [field, name]] of params.entries()) body[field as string] = stepParam(c, k + 1, name, x);
    return emitLike(c, x, body as NodeBody);
  };
}

export const bntt = perStepNorm<BNTTNode>("bntt", [
  ["gamma", "gamma"],
  ["mean", "moving_mean"],
  ["variance", "moving_variance"],
]);

export const tebn: Converter = (c) => {
  const x = normInput(c, 6, ["timesteps", "epsilon"]);
  const raw = c.param(5, "p");
  const p = raw.dims.length === 1 ? tensor([...raw.dims], raw.data) : stepParam(c, 5, "p", x);
  return emitLike(c, x, { op: "tebn", inputs: [x.id], ...stepAttrs(c), ...channelStats(c, x), p });
};

export const tab = perStepNorm<TABNode>("tab", [
  ["gammaHat", "gamma_hat"],
  ["betaHat", "beta_hat"],
  ["meanAcc", "moving_mean_acc"],
  ["varAcc", "moving_var_acc"],
]);

export const pspNorm: Converter = (c) => {
  c.attrs.only(["mode", "lambda"]);
  const mode = c.attrs.oneOf("mode", ["bn", "ln"]);
  c.arity(mode === "bn" ? 3 : 1);
  const x = c.act(0, "X");
  const lambda = c.attrs.float("lambda");
  const body = { op: "pspnorm" as const, inputs: [x.id], mode, lambda };
  if (mode === "ln") return emitLike(c, x, body);
  const gamma = channelParam(c, 1, "gamma", x);
  return emitLike(c, x, { ...body, gamma, sqMean: channelParam(c, 2, "moving_sq_mean", x) });
};

export const readout: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["mode"]);
  const x = c.act(0, "X");
  const mode = c.attrs.oneOf("mode", ["mean", "sum"], "mean");
  return emitLike(c, x, { op: "readout", inputs: [x.id], mode });
};
