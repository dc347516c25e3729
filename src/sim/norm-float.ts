/**
 * Inference forms of the normalisation layers (SEMANTICS.md §2), in float64, written exactly as
 * the spec states them (unfolded): the ground truth the folding passes are checked against.
 */
import { SnncError } from "../ir/errors.ts";
import type { BatchNormNode, BNTTNode, PSPNormNode, TABNode, TdBNNode, TEBNNode } from "../ir/nodes.ts";

export type NormNode = BatchNormNode | TdBNNode | BNTTNode | TEBNNode | TABNode | PSPNormNode;

/** y = norm(x) at 0-based step t; x is NHWC-flat with C = last axis. */
export function normStep(node: NormNode, x: Float64Array, C: number, t: number): Float64Array {
  const y = new Float64Array(x.length);
  switch (node.op) {
    case "bn":
    case "tdbn": {
      const f = node.op === "tdbn" ? node.alpha * node.vth : 1;
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] =
          (f * node.gamma.data[c]! * (x[i]! - node.mean.data[c]!)) / Math.sqrt(node.variance.data[c]! + node.epsilon) +
          node.beta.data[c]!;
      }
      return y;
    }
    case "bntt": {
      const o = t * C;
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] =
          (node.gamma.data[o + c]! * (x[i]! - node.mean.data[o + c]!)) /
          Math.sqrt(node.variance.data[o + c]! + node.epsilon);
      }
      return y;
    }
    case "tebn": {
      const perChannel = node.p.shape.length === 2;
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        const p = node.p.data[perChannel ? t * C + c : t]!;
        y[i] =
          p *
          ((node.gamma.data[c]! * (x[i]! - node.mean.data[c]!)) / Math.sqrt(node.variance.data[c]! + node.epsilon) +
            node.beta.data[c]!);
      }
      return y;
    }
    case "tab": {
      const o = t * C;
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] =
          (node.gammaHat.data[o + c]! * (x[i]! - node.meanAcc.data[o + c]!)) /
            Math.sqrt(node.varAcc.data[o + c]! + node.epsilon) +
          node.betaHat.data[o + c]!;
      }
      return y;
    }
    case "pspnorm": {
      if (node.mode === "ln") throw pspLnRefusal(node.id);
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] = (node.gamma!.data[c]! * x[i]!) / Math.sqrt(node.sqMean!.data[c]! + node.lambda);
      }
      return y;
    }
  }
}

export function pspLnRefusal(layer: string): SnncError {
  return new SnncError(
    "E_UNSUPPORTED",
    'PSPNorm mode "ln" normalises over C×H×W×T of the sample itself (including future steps): it is not an inference-time layer and cannot run or be folded; retrain with mode "bn" or remove it',
    { layer },
  );
}
