/**
 * Inference forms of the normalisation layers (SEMANTICS.md §2), in float64, written exactly as
 * the spec states them (unfolded): the ground truth the folding passes are checked against.
 */
import { SnncError } from "../ir/errors.ts";
import type { NormNode } from "../ir/nodes.ts";
import type { Tensor } from "../ir/tensor.ts";

/** y = norm(x) at 0-based step t; x is NHWC-flat. With `out`, y is written there. */
export type NormStep = (x: Float64Array, t: number, out?: Float64Array) => Float64Array;

/**
 * The step of a norm node whose input has C channels (the last axis). The per-channel factors of
 * each parameter row are taken once, at the row's first step: f·γ and sqrt(σ² + ε), the same
 * operations in the same order as evaluating the formula at each value, so the same bits.
 */
export function normStepper(node: NormNode, C: number): NormStep {
  switch (node.op) {
    case "bn":
      return standardiser(node, C, () => 0, 1);
    case "tdbn":
      return standardiser(node, C, () => 0, node.alpha * node.vth);
    case "bntt":
      return standardiser(node, C, (t) => t, 1);
    case "tebn": {
      const standardise = standardiser(node, C, () => 0, 1);
      const perChannel = node.p.shape.length === 2;
      const pd = node.p.data;
      return (x, t, out) => {
        const y = standardise(x, t, out);
        for (let i = 0; i < x.length; i++) y[i] = pd[perChannel ? t * C + (i % C) : t]! * y[i]!;
        return y;
      };
    }
    case "tab": {
      const { gammaHat: gamma, meanAcc: mean, varAcc: variance, betaHat: beta, epsilon } = node;
      return standardiser({ gamma, mean, variance, beta, epsilon }, C, (t) => t, 1);
    }
    case "pspnorm": {
      if (node.mode === "ln") throw pspLnRefusal(node.id);
      const { gamma, sqMean, lambda } = node;
      return (x, _t, out) => {
        const y = out ?? new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) {
          const c = i % C;
          y[i] = (gamma!.data[c]! * x[i]!) / Math.sqrt(sqMean!.data[c]! + lambda);
        }
        return y;
      };
    }
  }
}

interface Standardisation {
  gamma: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
  beta?: Tensor;
}

/** One parameter row's per-channel factors. */
interface Row {
  fg: Float64Array;
  mu: Float64Array;
  sd: Float64Array;
  beta?: Float64Array;
}

/**
 * y = f·γ(x − μ)/sqrt(σ² + ε) + β per channel (no β term where the norm has none), the
 * parameters read from row `row(t)` (the step for the per-step [T, C] ones, else 0).
 */
function standardiser(p: Standardisation, C: number, row: (t: number) => number, f: number): NormStep {
  const rows: (Row | undefined)[] = [];
  const rowAt = (r: number): Row => {
    const o = r * C;
    const fg = new Float64Array(C);
    const mu = new Float64Array(C);
    const sd = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      fg[c] = f * p.gamma.data[o + c]!;
      mu[c] = p.mean.data[o + c]!;
      sd[c] = Math.sqrt(p.variance.data[o + c]! + p.epsilon);
    }
    const made = { fg, mu, sd, beta: p.beta?.data.subarray(o, o + C) };
    rows[r] = made;
    return made;
  };
  return (x, t, out) => {
    const r = row(t);
    const { fg, mu, sd, beta } = rows[r] ?? rowAt(r);
    const y = out ?? new Float64Array(x.length);
    for (let i = 0; i < x.length; i += C)
      if (beta) for (let c = 0; c < C; c++) y[i + c] = (fg[c]! * (x[i + c]! - mu[c]!)) / sd[c]! + beta[c]!;
      else for (let c = 0; c < C; c++) y[i + c] = (fg[c]! * (x[i + c]! - mu[c]!)) / sd[c]!;
    return y;
  };
}

export function pspLnRefusal(layer: string): SnncError {
  return new SnncError(
    "E_UNSUPPORTED",
    'PSPNorm mode "ln" normalises over C×H×W×T of the sample itself (including future steps): it is not an inference-time layer and cannot run or be folded; retrain with mode "bn" or remove it',
    { layer },
  );
}
