/**
 * The definition of a conv synapse's cross-correlation, for tests to check the engines and
 * placement against: every (source neuron, target neuron, kernel weight) triple it sums over,
 * found by the plainest loops (per target, per kernel tap inside the source, per input channel
 * of the target's group).
 */
import type { ConvSynapse } from "../../src/loihi/model/integer-model.ts";

/** Calls `visit(source, target, weightIndex)` for every term of every target's sum, target by target. */
export function forEachConvTerm(
  s: ConvSynapse<ArrayLike<number>>,
  visit: (source: number, target: number, weight: number) => void,
): void {
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const coPerG = CO / s.groups;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let co = 0; co < CO; co++) {
        const g = Math.floor(co / coPerG);
        for (let ky = 0; ky < KH; ky++)
          for (let kx = 0; kx < KW; kx++) {
            const iy = oy * s.strides[0] + ky * s.dilation[0] - s.pads[0];
            const ix = ox * s.strides[1] + kx * s.dilation[1] - s.pads[2];
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (let k = 0; k < KI; k++)
              visit((iy * W + ix) * C + g * KI + k, (oy * OW + ox) * CO + co, ((ky * KW + kx) * KI + k) * CO + co);
          }
      }
}
