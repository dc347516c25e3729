/**
 * The float reference's norms (src/sim/norm-float.ts) take each parameter row's per-channel
 * factors once. Property: for every norm op, random parameters (per-step rows included), random
 * inputs and steps, each value is the bits of the spec's formula evaluated at that value
 * (SEMANTICS.md §2, written here as directly as it reads).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { NormNode } from "../../src/ir/nodes.ts";
import { normStepper } from "../../src/sim/norm-float.ts";

const tensorOf = (shape: number[], data: number[]) => ({ shape, data: Float64Array.from(data) });

/** The formula at each value, as the spec states it. */
function byFormula(n: NormNode, x: Float64Array, C: number, t: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const std = (g: number, m: number, v: number, e: number) => (g * (x[i]! - m)) / Math.sqrt(v + e);
    switch (n.op) {
      case "bn":
        y[i] = std(n.gamma.data[c]!, n.mean.data[c]!, n.variance.data[c]!, n.epsilon) + n.beta.data[c]!;
        break;
      case "tdbn":
        y[i] =
          std(n.alpha * n.vth * n.gamma.data[c]!, n.mean.data[c]!, n.variance.data[c]!, n.epsilon) + n.beta.data[c]!;
        break;
      case "bntt": {
        const r = t * C + c;
        y[i] = std(n.gamma.data[r]!, n.mean.data[r]!, n.variance.data[r]!, n.epsilon);
        break;
      }
      case "tebn": {
        const p = n.p.shape.length === 2 ? n.p.data[t * C + c]! : n.p.data[t]!;
        y[i] = p * (std(n.gamma.data[c]!, n.mean.data[c]!, n.variance.data[c]!, n.epsilon) + n.beta.data[c]!);
        break;
      }
      case "tab": {
        const r = t * C + c;
        y[i] = std(n.gammaHat.data[r]!, n.meanAcc.data[r]!, n.varAcc.data[r]!, n.epsilon) + n.betaHat.data[r]!;
        break;
      }
      case "pspnorm":
        y[i] = (n.gamma!.data[c]! * x[i]!) / Math.sqrt(n.sqMean!.data[c]! + n.lambda);
        break;
    }
  }
  return y;
}

const value = fc.double({ min: -8, max: 8, noNaN: true });
const positive = fc.double({ min: 2 ** -12, max: 4, noNaN: true });

const arbNorm = fc
  .record({
    op: fc.constantFrom("bn", "tdbn", "bntt", "tebn", "tab", "pspnorm"),
    C: fc.integer({ min: 1, max: 5 }),
    T: fc.integer({ min: 1, max: 4 }),
    perChannelP: fc.boolean(),
    seed: fc.array(value, { minLength: 64, maxLength: 64 }),
    pos: fc.array(positive, { minLength: 64, maxLength: 64 }),
    eps: positive,
  })
  .map(({ op, C, T, perChannelP, seed, pos, eps }): { node: NormNode; C: number; T: number } => {
    let k = 0;
    const vals = (n: number) => Array.from({ length: n }, () => seed[k++ % seed.length]! + k / 64);
    const poss = (n: number) => Array.from({ length: n }, () => pos[k++ % pos.length]!);
    const base = { id: "n", inputs: ["x"], epsilon: eps };
    const c = (data: number[]) => tensorOf([C], data);
    const tc = (data: number[]) => tensorOf([T, C], data);
    // the per-channel statistics of bn, tdBN and TEBN
    const stats = () => ({ gamma: c(vals(C)), beta: c(vals(C)), mean: c(vals(C)), variance: c(poss(C)) });
    const node = ((): NormNode => {
      switch (op) {
        case "bn":
          return { ...base, op, ...stats() };
        case "tdbn":
          return { ...base, op, alpha: seed[0]!, vth: pos[0]!, ...stats() };
        case "bntt":
          return {
            ...base,
            op,
            timesteps: T,
            gamma: tc(vals(T * C)),
            mean: tc(vals(T * C)),
            variance: tc(poss(T * C)),
          };
        case "tebn":
          return { ...base, op, timesteps: T, ...stats(), p: perChannelP ? tc(vals(T * C)) : tensorOf([T], vals(T)) };
        case "tab":
          return {
            ...base,
            op,
            timesteps: T,
            gammaHat: tc(vals(T * C)),
            betaHat: tc(vals(T * C)),
            meanAcc: tc(vals(T * C)),
            varAcc: tc(poss(T * C)),
          };
        default: {
          const { epsilon: _, ...rest } = base;
          return { ...rest, op: "pspnorm", mode: "bn", lambda: eps, gamma: c(vals(C)), sqMean: c(poss(C)) };
        }
      }
    })();
    return { node, C, T };
  });

test("each norm's step: the spec's formula at every value, bit for bit, at every step, into a given array or a new one", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(arbNorm, fc.array(value, { minLength: 1, maxLength: 24 }), fc.boolean(), ({ node, C, T }, xs, into) => {
      const pixels = Math.max(1, Math.floor(xs.length / C));
      const step = normStepper(node, C);
      const out = into ? new Float64Array(pixels * C) : undefined;
      for (let t = 0; t < T; t++) {
        const x = Float64Array.from({ length: pixels * C }, (_, i) => xs[(i + t) % xs.length]! * (t + 1));
        const y = step(x, t, out);
        if (out) assert.equal(y, out, "written into the given array");
        assert.deepEqual(y, byFormula(node, x, C, t), `${node.op} at step ${t}`);
      }
      seen.add(node.op);
    }),
    { numRuns: 600, seed: 20261203 },
  );
  assert.equal(seen.size, 6, "every norm op was drawn");
});
