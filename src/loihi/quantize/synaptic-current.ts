/**
 * A neuron with a synaptic current (NIR's CubaLIF: an `li` between its synapses and the neuron,
 * i[t] = d·i[t−1] + c[t] + b, h[t] = τ·v[t−1] + i[t] + bias) is Lava's LIF with a current decay,
 * which is the CUBA neuron Lava's LIF always is (docs/LAVA-FIXED-POINT.md §1):
 *
 *   u = u·(4096 − (du + 1)) / 4096 + a·64      the current:  u_int = 64·g·i,  4096 − (du + 1) ≈ 4096·d
 *   v = v·(4096 − dv) / 4096 + u + bias        the membrane: v_int = 64·g·h
 *
 * so d becomes du (one per population) and the synapses carry c. The li's gain must be 1 by now
 * (lower-gain moved it into the synapses, with the neuron's own gain).
 *
 * The constant part b of the current (biases on the way and the li's own bias) builds up in the
 * float model from the first step: i_b[t] = b·(1 − d^(t+1)) / (1 − d). Lava's bias enters v, not
 * u, so b is split exactly: its steady state b / (1 − d) joins the neuron's bias, and the part not
 * yet built up, −b·d^(t+1) / (1 − d), is a state of u: −b·d / (1 − d) delivered into u at the
 * first aligned step (depth + 1, from the pulse neuron of step depth), which u's own decay then
 * takes away step by step.
 */
import { SnncError } from "../../ir/errors.ts";
import type { LeakyIntegratorNode } from "../../ir/nodes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import type { RealConnection } from "./synaptic-form.ts";

/** The current decay d of a synaptic current, checked (one value per population, gain 1). */
export function currentDecayOf(li: LeakyIntegratorNode, neuron: string): number {
  const S = li.shape!;
  const d = broadcastTo(li.decay, S);
  if (!d.every((x) => x === d[0]))
    throw new SnncError(
      "E_TARGET",
      `the decay of its synaptic current '${li.id}' varies between neurons; Lava's LIF has one current decay du per population`,
      { layer: neuron, param: "tau_syn" },
    );
  if (!broadcastTo(li.gain, S).every((x) => x === 1))
    throw new SnncError("E_TARGET", `synaptic current '${li.id}' with gain ≠ 1: run lower-gain first`, {
      layer: neuron,
      param: "gain",
    });
  return d[0] ?? 0;
}

/**
 * Split the constant current b (per neuron; the li's bias added here) of a population with a
 * synaptic current of decay d: returns the steady state b / (1 − d) for the neuron's bias, and the
 * connection from the pulse of step `depth` that puts −b·d / (1 − d) into u at step depth + 1.
 */
export function constantCurrent(
  li: LeakyIntegratorNode,
  neuron: string,
  d: number,
  depth: number,
  b: Float64Array,
  pulse: string,
): { steady: Float64Array; transient?: RealConnection } {
  const lb = broadcastTo(li.bias, li.shape!);
  const c = Float64Array.from(b, (x, i) => x + lb[i]!);
  if (!c.some((x) => x !== 0)) return { steady: c };
  if (!(d < 1))
    throw new SnncError(
      "E_TARGET",
      `a constant input into its synaptic current '${li.id}', which never decays (decay 1): it grows without bound, which no Lava bias holds`,
      { layer: neuron, param: "tau_syn" },
    );
  const steady = Float64Array.from(c, (x) => x / (1 - d));
  if (d === 0) return { steady };
  const w = Float64Array.from(c, (x) => (-x * d) / (1 - d));
  const transient: RealConnection = {
    id: `${neuron}/current0`,
    from: pulse,
    to: neuron,
    delay: 0,
    synapse: { kind: "dense", inSize: 1, outSize: size(li.shape!), weights: w },
    how: `constant current: the part not yet built up, −b·d/(1 − d), into u at step ${depth + 1} (pulse at step ${depth})`,
    origin: [li.id],
  };
  return { steady, transient };
}
