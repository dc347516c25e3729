/**
 * Random models for the state-offset properties: neuron layers with thresholds of every sign
 * (0 and ±∞ included), v_reset ≠ 0, gt/ge, IF and LIF, scalar / per-channel / per-element
 * parameters, behind convs and denses (the generators of gen.ts).
 */
import type { Graph } from "../../src/ir/nodes.ts";
import { scalar, size, tensor } from "../../src/ir/tensor.ts";
import * as b from "./ir-builder.ts";
import { ModelBuilder, type Src } from "./gen.ts";

/** Neuron parameters with thresholds of every sign (0 and ±∞ included), v_reset, gt/ge, IF/LIF. */
export function offsetOpts(s: Src, S: number[]): b.NeuronOpts {
  const C = S[S.length - 1]!;
  const kind = s.pick(["scalar", "channel", "element"] as const);
  const shape = kind === "scalar" ? [] : kind === "channel" ? [C] : S;
  const th = (): number => (s.bool(0.06) ? s.pick([Infinity, -Infinity]) : s.bool(0.1) ? 0 : s.real(1.5));
  const threshold = tensor(shape, Float64Array.from({ length: size(shape) }, th));
  const vrShape = s.bool(0.5) ? [] : [C];
  const vReset = s.bool(0.5)
    ? tensor(
        vrShape,
        Float64Array.from({ length: size(vrShape) }, () => s.real(0.75)),
      )
    : scalar(0);
  const decay = s.tier === "exact" ? s.pick([0.25, 0.5, 0.75, 1]) : s.bool(0.25) ? 1 : s.range(0.05, 1);
  return {
    model: decay === 1 ? "IF" : "LIF",
    decay,
    fire: s.bool() ? "ge" : "gt",
    threshold,
    vReset,
    bias: s.bool(0.3) ? scalar(s.real(0.5)) : scalar(0),
    vThreshold: 1,
  };
}

export function offsetModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = s.bool(0.7) ? m.input() : m.flatInput();
  const l1 = m.linear(x);
  const n1 = m.add(b.neuron(m.id("n"), l1, offsetOpts(s, m.shape(l1))));
  return withTail(m, n1, 0.6);
}

/** After the layer `n1`: with probability `second` a second layer with offsetOpts, then maybe a readout. */
function withTail(m: ModelBuilder, n1: string, second: number): Graph {
  const s = m.s;
  const outputs = [n1];
  if (s.bool(second)) {
    const l2 = m.linear(n1);
    outputs.push(m.add(b.neuron(m.id("n"), l2, offsetOpts(s, m.shape(l2)))));
  }
  if (s.bool(0.4)) outputs.push(m.readout(m.linear(outputs[outputs.length - 1]!)));
  return m.build(outputs);
}

/**
 * A neuron layer with MPBN (channel or element; k of every sign, 0 included, so folded thresholds
 * of every sign and negated states), hard reset, gt/ge, v_reset sometimes; then maybe a second
 * layer with offsetOpts and a readout. What the float pipeline and the Loihi lowerings then see.
 */
export function mpbnOffsetModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = s.bool(0.7) ? m.input() : m.flatInput();
  const l1 = m.linear(x);
  const S = m.shape(l1);
  const mpbn = s.mpbn(S);
  const o = offsetOpts(s, S);
  const theta = s.tier === "exact" ? s.pick([-0.5, -0.25, 0, 0.25, 0.5, 1]) : s.range(-0.5, 1.5);
  const n1 = m.add(
    b.neuron(m.id("n"), l1, {
      ...o,
      threshold: scalar(theta),
      vThreshold: theta,
      mpbn,
    }),
  );
  return withTail(m, n1, 0.5);
}
