/**
 * A random per-step norm (BNTT, TEBN or TAB) for the Loihi properties: per-step scales a_t of
 * either sign, statistics whose standard deviations come from {0.5, 1, 2}, ε = 2^-10 (so that the
 * folded factors stay dyadic where the test wants them exact).
 */
import type { IRNode } from "../../src/ir/nodes.ts";
import { tensor } from "../../src/ir/tensor.ts";
import * as b from "./ir-builder.ts";
import type { ModelBuilder } from "./gen.ts";

export const NORM_EPS = 2 ** -10;

export type PerStepNormKind = "bntt" | "tebn" | "tab";

export interface PerStepNormOptions {
  kind: PerStepNormKind;
  /** The norm's own T. */
  timesteps: number;
  /** A random a_t (TEBN's p, the sign of γ). */
  a: () => number;
  /** TEBN's p per step and channel (else per step only). */
  tebnPerChannel?: boolean;
}

/** The norm on `inp` (channels last), added to the model; its id. */
export function addPerStepNorm(m: ModelBuilder, inp: string, o: PerStepNormOptions): string {
  const s = m.s;
  const S = m.shape(inp);
  const C = S[S.length - 1]!;
  const Tn = o.timesteps;
  const stats = (n: number) => {
    const v = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const sd = s.pick([0.5, 1, 2]);
      v[i] = sd * sd - NORM_EPS;
      gm[i] = o.a() * sd;
    }
    return { v, gm };
  };
  let norm: IRNode;
  if (o.kind === "bntt") {
    const { v, gm } = stats(Tn * C);
    norm = b.bntt(m.id("norm"), inp, {
      timesteps: Tn,
      epsilon: NORM_EPS,
      gamma: tensor([Tn, C], gm),
      mean: s.tensor([Tn, C], 0.5),
      variance: tensor([Tn, C], v),
    });
  } else if (o.kind === "tebn") {
    const { v, gm } = stats(C);
    norm = b.tebn(m.id("norm"), inp, {
      timesteps: Tn,
      epsilon: NORM_EPS,
      gamma: tensor([C], gm),
      beta: s.tensor([C], 0.5),
      mean: s.tensor([C], 0.5),
      variance: tensor([C], v),
      p: o.tebnPerChannel
        ? tensor([Tn, C], Float64Array.from({ length: Tn * C }, o.a))
        : tensor([Tn], Float64Array.from({ length: Tn }, o.a)),
    });
  } else {
    const { v, gm } = stats(Tn * C);
    norm = b.tab(m.id("norm"), inp, {
      timesteps: Tn,
      epsilon: NORM_EPS,
      gammaHat: tensor([Tn, C], gm),
      betaHat: s.tensor([Tn, C], 0.5),
      meanAcc: s.tensor([Tn, C], 0.5),
      varAcc: tensor([Tn, C], v),
    });
  }
  return m.add(norm);
}
