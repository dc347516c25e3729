/**
 * The per-time-step normalisations (BNTT, TEBN, TAB) as what they are at inference: a per-step,
 * per-channel affine map of the synaptic current, y_t = a_t ⊙ c + b_t (SEMANTICS §3):
 *
 *   BNTT  a_t = γ_t / sqrt(σ_t² + ε)                 b_t = −a_t·μ_t
 *   TEBN  a_t = p_t·γ / sqrt(σ² + ε)                  b_t = p_t·(β − γ·μ / sqrt(σ² + ε))
 *   TAB   a_t = γ̂_t / sqrt(σ²_{1:t} + ε)             b_t = β̂_t − a_t·μ_{1:t}
 *
 * and the place such a map can go: the neuron it feeds, directly or through a single-consumer
 * chain that commutes with a positive per-channel affine (flatten / reshape, which only relabel
 * the elements, and average / max pooling in the norm's own [H,W,C] layout:
 * avg(a·c + b) = a·avg(c) + b, max(a·c + b) = a·max(c) + b for a > 0).
 * Shared by schedule-temporal-norm (exact) and approx-temporal-norm (static average).
 */
import { SnncError } from "../../ir/errors.ts";
import type { BNTTNode, Graph, IRNode, NeuronNode, TABNode, TEBNNode } from "../../ir/nodes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";

export type PerStepNorm = BNTTNode | TEBNNode | TABNode;

export const NORM_NAME: Record<PerStepNorm["op"], string> = { bntt: "BNTT", tebn: "TEBN", tab: "TAB" };

export function isPerStepNorm(n: IRNode): n is PerStepNorm {
  return n.op === "bntt" || n.op === "tebn" || n.op === "tab";
}

/** a[t][c], b[t][c] for every step the norm holds. */
export interface StepAffine {
  steps: number;
  channels: number;
  a: Float64Array[];
  b: Float64Array[];
}

/** The parameter that carries a norm's per-step scale (named in errors). */
export function scaleParam(n: PerStepNorm): string {
  return n.op === "bntt" ? "gamma" : n.op === "tebn" ? "p" : "gamma_hat";
}

/** The per-step affine of a norm whose input has `C` channels (parameters already validated). */
export function stepAffine(n: PerStepNorm, C: number): StepAffine {
  const T = n.timesteps;
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const at = new Float64Array(C);
    const bt = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const o = t * C + c;
      if (n.op === "bntt") {
        at[c] = n.gamma.data[o]! / Math.sqrt(n.variance.data[o]! + n.epsilon);
        bt[c] = -at[c]! * n.mean.data[o]!;
      } else if (n.op === "tebn") {
        const k = n.gamma.data[c]! / Math.sqrt(n.variance.data[c]! + n.epsilon);
        const p = n.p.data[n.p.shape.length === 2 ? o : t]!;
        at[c] = p * k;
        bt[c] = p * (n.beta.data[c]! - k * n.mean.data[c]!);
      } else {
        at[c] = n.gammaHat.data[o]! / Math.sqrt(n.varAcc.data[o]! + n.epsilon);
        bt[c] = n.betaHat.data[o]! - at[c]! * n.meanAcc.data[o]!;
      }
    }
    a.push(at);
    b.push(bt);
  }
  return { steps: T, channels: C, a, b };
}

/**
 * The first (step, channel) with a_t ≤ 0 (or not finite) among steps [0, upTo), or undefined.
 */
export function firstNonPositive(
  aff: StepAffine,
  upTo = aff.steps,
): { step: number; channel: number; value: number } | undefined {
  for (let t = 0; t < Math.min(upTo, aff.steps); t++) {
    for (let c = 0; c < aff.channels; c++) {
      const v = aff.a[t]![c]!;
      if (!(v > 0) || !Number.isFinite(v)) return { step: t, channel: c, value: v };
    }
  }
  return undefined;
}

export function nonPositiveError(n: PerStepNorm, bad: { step: number; channel: number; value: number }): SnncError {
  const name = NORM_NAME[n.op];
  const formula = n.op === "bntt" ? "γ_t/sqrt(σ_t²+ε)" : n.op === "tebn" ? "p_t·γ/sqrt(σ²+ε)" : "γ̂_t/sqrt(σ²_{1:t}+ε)";
  const why =
    bad.value === 0
      ? "a_t = 0 makes that step's current a constant"
      : Number.isFinite(bad.value)
        ? "a_t < 0 flips the comparison"
        : "it is not a finite number";
  return new SnncError(
    "E_FOLD",
    `${name} scale a_t = ${formula} is ${bad.value} at step ${bad.step + 1}, channel ${bad.channel}: the exact lowering rescales the neuron's state by 1/a_t (SEMANTICS §3) and needs a_t > 0 (${why})`,
    { layer: n.id, param: scaleParam(n) },
  );
}

/** Where a per-step norm's affine goes: the neuron it feeds, through `chain`. */
export interface NormSite {
  norm: PerStepNorm;
  /** Nodes between the norm and the neuron (flatten / reshape / avgpool / maxpool), in order. */
  chain: IRNode[];
  neuron: NeuronNode;
  /** For every neuron element (flat, the neuron's layout), the norm channel whose a_t, b_t apply. */
  channelOf: Int32Array;
}

/** The neuron a norm feeds, per element: its shape S, its N elements, the norm channel of each, its gain and bias. */
export function siteElements(site: NormSite) {
  const n = site.neuron;
  const S = n.shape!;
  return { n, S, N: size(S), ch: site.channelOf, gain: broadcastTo(n.gain, S), bias: broadcastTo(n.bias, S) };
}

const RELABEL = new Set<IRNode["op"]>(["flatten", "reshape"]);
const CHANNEL_POOL = new Set<IRNode["op"]>(["avgpool", "maxpool"]);

/**
 * Find the neuron a per-step norm feeds, or refuse. `g` must carry shapes; `cons` = consumers(g).
 * The norm and every chain node must have exactly one reader and not be a graph output.
 */
export function normSite(g: Graph, norm: PerStepNorm, cons: ReadonlyMap<string, string[]>): NormSite {
  const byId = new Map(g.nodes.map((x) => [x.id, x] as const));
  const name = NORM_NAME[norm.op];
  const refuse = (detail: string): never => {
    throw new SnncError("E_UNSUPPORTED", `${name} (per-step affine a_t·c + b_t) ${detail}`, { layer: norm.id });
  };
  const chain: IRNode[] = [];
  let cur: IRNode = norm;
  let inNormLayout = true;
  for (;;) {
    const readers: string[] = cons.get(cur.id) ?? [];
    const via = cur === norm ? "" : ` (through ${chain.map((c) => `'${c.id}'`).join(", ")})`;
    if (g.outputs.includes(cur.id))
      refuse(
        `${via ? `reaches '${cur.id}'${via}, a` : "is a"} graph output: its value would change if the norm moved into a neuron's schedule`,
      );
    if (readers.length !== 1) {
      refuse(
        `${via ? `reaches '${cur.id}'${via}, which` : ""} is read by ${readers.length ? readers.map((r) => `'${r}'`).join(", ") : "nothing"}: it must feed exactly one neuron to become that neuron's per-step schedule`,
      );
    }
    const next: IRNode = byId.get(readers[0]!)!;
    if (next.op === "neuron") {
      // Pools keep the channel axis and flatten / reshape keep the flat order, so element i of
      // the neuron always belongs to norm channel i mod C.
      const C = norm.shape![norm.shape!.length - 1]!;
      const channelOf = new Int32Array(size(next.shape!));
      for (let i = 0; i < channelOf.length; i++) channelOf[i] = i % C;
      return { norm, chain, neuron: next, channelOf };
    }
    if (RELABEL.has(next.op)) {
      inNormLayout = false;
    } else if (CHANNEL_POOL.has(next.op)) {
      if (!inNormLayout)
        refuse(
          `reaches ${next.op} '${next.id}'${via} after a flatten/reshape: its windows may mix the norm's channels, so the affine cannot be moved past it exactly`,
        );
    } else {
      refuse(
        `feeds '${next.id}' (${next.op})${via}, not a neuron: only a neuron can hold the per-step schedule (directly, or through flatten / reshape / average or max pooling with a single reader each)`,
      );
    }
    chain.push(next);
    cur = next;
  }
}
