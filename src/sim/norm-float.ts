/**
 * Inference forms of the normalisation layers (SEMANTICS.md §2), in float64, written exactly as
 * the spec states them (unfolded): the ground truth the folding passes are checked against.
 */
import { SnncError } from "../ir/errors.ts";
import type { NormNode } from "../ir/nodes.ts";
import type { Tensor } from "../ir/tensor.ts";

/** y = norm(x) at 0-based step t; x is NHWC-flat with C = last axis. With `out`, y is written there. */
export function normStep(node: NormNode, x: Float64Array, C: number, t: number, out?: Float64Array): Float64Array {
  switch (node.op) {
    case "bn":
      return standardise(x, C, 0, node, 1, out);
    case "tdbn":
      return standardise(x, C, 0, node, node.alpha * node.vth, out);
    case "bntt":
      return standardise(x, C, t * C, node, 1, out);
    case "tebn": {
      const y = standardise(x, C, 0, node, 1, out);
      const perChannel = node.p.shape.length === 2;
      for (let i = 0; i < x.length; i++) y[i] = node.p.data[perChannel ? t * C + (i % C) : t]! * y[i]!;
      return y;
    }
    case "tab": {
      const { gammaHat: gamma, meanAcc: mean, varAcc: variance, betaHat: beta, epsilon } = node;
      return standardise(x, C, t * C, { gamma, mean, variance, beta, epsilon }, 1, out);
    }
    case "pspnorm": {
      if (node.mode === "ln") throw pspLnRefusal(node.id);
      const y = out ?? new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] = (node.gamma!.data[c]! * x[i]!) / Math.sqrt(node.sqMean!.data[c]! + node.lambda);
      }
      return y;
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

/**
 * y = f·γ(x − μ)/sqrt(σ² + ε) + β per channel (no β term where the norm has none), the
 * parameters read from row offset o (t·C for the per-step [T, C] ones).
 */
function standardise(
  x: Float64Array,
  C: number,
  o: number,
  p: Standardisation,
  f = 1,
  out?: Float64Array,
): Float64Array {
  const y = out ?? new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = o + (i % C);
    const v = (f * p.gamma.data[c]! * (x[i]! - p.mean.data[c]!)) / Math.sqrt(p.variance.data[c]! + p.epsilon);
    y[i] = p.beta ? v + p.beta.data[c]! : v;
  }
  return y;
}

export function pspLnRefusal(layer: string): SnncError {
  return new SnncError(
    "E_UNSUPPORTED",
    'PSPNorm mode "ln" normalises over C×H×W×T of the sample itself (including future steps): it is not an inference-time layer and cannot run or be folded; retrain with mode "bn" or remove it',
    { layer },
  );
}
