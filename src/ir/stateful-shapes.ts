/**
 * Parameter rules of the nodes that keep state across steps: neurons (SEMANTICS §1, with MPBN and
 * schedules), leaky integrators and delays (nodes.ts).
 */
import { SnncError } from "./errors.ts";
import type { DelayNode, LeakyIntegratorNode, NeuronNode } from "./nodes.ts";
import { broadcastsOnto, finite, finiteNum, need, positive, variance } from "./shape-checks.ts";
import { sameShape, shapeStr, type Tensor } from "./tensor.ts";

/** A delay on a recurrent edge: its shape is the one it declares; every step count must be ≥ 1. */
export function recurrentDelayShape(n: DelayNode): number[] {
  need(
    n.sourceShape !== undefined,
    `reads '${n.inputs[0]}', which comes later (a recurrent edge), but states no sourceShape`,
    "sourceShape",
  );
  const s = positive([...n.sourceShape], "delay sourceShape");
  delaySteps(n, s, true);
  return s;
}

/** Integer steps ≥ 0 (≥ 1 on a recurrent edge), broadcastable onto the delayed value. */
export function delaySteps(n: DelayNode, s: number[], recurrentEdge: boolean): void {
  broadcastsOnto(n.steps, s, "steps");
  const min = recurrentEdge ? 1 : 0;
  for (let i = 0; i < n.steps.data.length; i++) {
    const d = n.steps.data[i]!;
    if (!(Number.isInteger(d) && d >= min)) {
      throw new SnncError(
        "E_VALUE",
        `${d} at index ${i}: delays are whole steps ≥ ${min}${recurrentEdge ? " on a recurrent edge (it must not read the same step)" : ""}`,
        { param: "steps" },
      );
    }
  }
}

export function checkNeuron(n: NeuronNode, s: number[], T: number): void {
  const bc = (t: Tensor, param: string, allowInf = false) => {
    broadcastsOnto(t, s, param);
    if (allowInf) {
      for (let i = 0; i < t.data.length; i++) {
        if (Number.isNaN(t.data[i]!)) throw new SnncError("E_VALUE", `NaN at index ${i}`, { param });
      }
    } else finite(t, param);
  };
  finiteNum(n.decay, "tau");
  need(n.decay >= 0 && n.decay <= 1, `decay factor ${n.decay} is outside [0, 1]`, "tau");
  if (n.plifA !== undefined) finiteNum(n.plifA, "a");
  finiteNum(n.vThreshold, "v_threshold");
  bc(n.gain, "gain");
  bc(n.bias, "bias");
  // Thresholds may be ±Infinity after folding (a neuron that can never / always fire).
  bc(n.threshold, "v_threshold", true);
  for (const [i, p] of (n.planeThresholds ?? []).entries()) bc(p, `deltas[${i}]`, true);
  bc(n.vReset, "v_reset");
  bc(n.resetAmount, "reset_amount");
  if (n.v0) bc(n.v0, "v0");
  if (n.selfWeight) bc(n.selfWeight, "selfWeight");
  if (n.mpbn) {
    const m = n.mpbn;
    const c = s[s.length - 1]!;
    const want = m.mode === "channel" ? [c] : s;
    for (const [name, t] of [
      ["mpbn_gamma", m.gamma],
      ["mpbn_beta", m.beta],
      ["mpbn_moving_mean", m.mean],
      ["mpbn_moving_variance", m.variance],
    ] as const) {
      need(
        sameShape(t.shape, want),
        `shape ${shapeStr(t.shape)}, expected ${shapeStr(want)} for MPBN mode "${m.mode}"`,
        name,
        "E_WEIGHT",
      );
      finite(t, name);
    }
    finiteNum(m.epsilon, "mpbn.epsilon");
    variance(m.variance, m.epsilon, "mpbn_moving_variance");
  }
  if (n.schedule) {
    const sc = n.schedule;
    need(
      sc.decay.length >= T &&
        sc.bias.length === sc.decay.length &&
        sc.thresholdScale.length === sc.decay.length &&
        (sc.gain === undefined || sc.gain.length === sc.decay.length),
      `schedule holds ${sc.decay.length} steps but the model runs ${T}`,
      "schedule",
    );
    for (const [key, list] of [
      ["decay", sc.decay],
      ["bias", sc.bias],
      ["thresholdScale", sc.thresholdScale],
      ["gain", sc.gain ?? []],
    ] as const) {
      for (let i = 0; i < list.length; i++) bc(list[i]!, `schedule.${key}[${i}]`);
    }
  }
}

/** A leaky integrator: decay, gain and bias broadcast onto its input, finite, decay within [0, 1]. */
export function checkLi(n: LeakyIntegratorNode, s: number[]): void {
  for (const [param, t] of [
    ["decay", n.decay],
    ["gain", n.gain],
    ["bias", n.bias],
  ] as const) {
    broadcastsOnto(t, s, param);
    finite(t, param);
  }
  const bad = n.decay.data.findIndex((d) => !(d >= 0 && d <= 1));
  need(bad < 0, `decay factor ${n.decay.data[bad]} at index ${bad} is outside [0, 1]`, "decay");
}
