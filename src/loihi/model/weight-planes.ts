/**
 * Weight planes (docs/LOIHI-TARGET.md, "Weight planes"): a connection whose integer weights W need
 * more than the 8 bits a Loihi synapse stores is carried by two synapse processes into the same
 * input port, whose sums Lava adds:
 *
 *   high = round-half-away(W / 2^P), low = W − high·2^P ∈ [−2^(P−1), 2^(P−1)]   (W = high·2^P + low)
 *
 * The high plane is worth 2^P times the low one:
 *   - dense: a `Dense` of `high` with weight exponent e + P beside a `Dense` of `low` with e. The
 *     high sum is an integer times 2^(e+P) (e + P ≥ 0), and floor(x + n) = floor(x) + n for an
 *     integer n, so the two sums equal floor((Σ W·s)·2^e), the one-plane accumulation;
 *   - conv: Lava's `Conv` applies no exponent, so the high plane reads its source through a relay
 *     that multiplies each payload by 2^P in the same step: Lava's `Delta` (lava.proc.sdn, vth 1,
 *     spike_exp P) sends 2^P·(x_t − x_{t−1}) and `Sigma` sums it back to 2^P·x_t; both are neuron
 *     processes, which receive before they send, so the relay adds no step. The high `Conv` takes
 *     the relay's graded payloads (num_message_bits > 0). From the host input the relay is the host
 *     itself: it sends the payloads 2^P·x as a second graded stream.
 *
 * The engines run the connection as one synapse of weights W: the planes only change how Lava holds it.
 */
import type { FixedConnection, Synapse } from "./integer-model.ts";
import { roundHalfUpAbs } from "./rounding.ts";

/** The exponent P between the planes: Delta's spike_exp is a 3-bit field (0..7). */
export const PLANE_SHIFT = 7;

/** One of the two synapse processes of a connection with weight planes. */
export interface WeightPlane {
  plane: "high" | "low";
  /** The plane's own connection: its 8-bit weights and the weight exponent Lava applies to them. */
  connection: FixedConnection;
  /** Conv high plane: the source's payloads reach it multiplied by 2^shift (a relay, or the host's second stream). */
  relay?: { shift: number };
}

/** high·2^shift + low = w, high = round-half-away(w / 2^shift). */
export function splitWeights(w: ArrayLike<number>, shift: number): { high: Int32Array; low: Int32Array } {
  const k = 2 ** shift;
  const high = new Int32Array(w.length);
  const low = new Int32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    // the sign as two comparisons, not Math.sign (compiled to branches that random signs mispredict)
    const h = (+(x > 0) - +(x < 0)) * roundHalfUpAbs(Math.abs(x) / k);
    high[i] = h;
    low[i] = x - h * k;
  }
  return { high, low };
}

function withWeights(s: Synapse, w: Int32Array): Synapse {
  return s.kind === "conv" ? { ...s, kernel: w } : { ...s, weights: w };
}

/** The synapse processes Lava runs for connection c: c itself, or its two planes. */
export function planesOf(c: FixedConnection): WeightPlane[] {
  if (!c.planes) return [{ plane: "low", connection: c }];
  const s = c.synapse;
  const { high, low } = splitWeights(s.kind === "conv" ? s.kernel : s.weights, c.planes);
  const conv = s.kind === "conv";
  return [
    {
      plane: "high",
      connection: { ...c, weightExp: conv ? 0 : c.weightExp + c.planes, synapse: withWeights(s, high) },
      ...(conv ? { relay: { shift: c.planes } } : {}),
    },
    { plane: "low", connection: { ...c, id: `${c.id}/low`, synapse: withWeights(s, low) } },
  ];
}

/** Why connection c cannot carry planes, or undefined when it can (checked by checkFixedModel). */
export function planesProblem(c: FixedConnection): string | undefined {
  if (!c.planes) return undefined;
  if (!Number.isInteger(c.planes) || c.planes < 1 || c.planes > PLANE_SHIFT)
    return `weight planes ${c.planes} apart (1..${PLANE_SHIFT})`;
  if (c.synapse.kind === "diagonal" || c.port) return "weight planes on a one-to-one or gain-stage synapse";
  if (c.weightExp + c.planes < 0)
    return `weight exponent ${c.weightExp} below −${c.planes}: the high plane would floor`;
  return undefined;
}
