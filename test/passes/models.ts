/** Random model shapes for the fold properties, one family per pass (see gen.ts for the tiers). */
import type { BatchNormNode, Graph, TdBNNode } from "../../src/ir/nodes.ts";
import { scalar, size, tensor } from "../../src/ir/tensor.ts";
import * as b from "./build.ts";
import { ModelBuilder, type Src } from "./gen.ts";

/** A random model with one or two BNs in every placement fold-bn accepts. */
export function bnModel(s: Src, makeNorm: (s: Src, id: string, inp: string, C: number) => BatchNormNode | TdBNNode): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const norm = (inp: string) => {
    const S = m.shape(inp);
    return m.add(makeNorm(s, m.id("bn"), inp, S[S.length - 1]!));
  };
  const outputs: string[] = [];
  switch (s.pick(["plain", "shared", "add", "pool", "chain", "readout"] as const)) {
    case "plain": {
      const n = m.neuron(norm(m.linear(x)));
      if (s.bool()) outputs.push(m.readout(m.linear(n)));
      else outputs.push(n);
      break;
    }
    case "shared": {
      const l = m.linear(x);
      outputs.push(m.neuron(norm(l)), m.readout(l));
      break;
    }
    case "add": {
      const C = s.int(1, 3);
      const a = m.add(b.add(m.id("add"), m.conv(x, C, { same: true }), m.conv(x, C, { same: true })));
      outputs.push(m.neuron(norm(a)));
      break;
    }
    case "pool": {
      const p = m.pool(m.conv(x), s.pick(["avgpool", "maxpool", "sumpool"] as const));
      outputs.push(m.neuron(norm(p)));
      break;
    }
    case "chain":
      outputs.push(m.neuron(norm(norm(m.linear(x)))));
      break;
    case "readout":
      outputs.push(m.readout(norm(m.linear(x))));
      break;
  }
  return m.build(outputs);
}


/** A linear layer feeding a neuron with channel or element MPBN (k of every sign, 0 included), then a random consumer. */
export function mpbnModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const l = m.linear(x);
  const S = m.shape(l);
  const mode = s.pick(["channel", "element"] as const);
  const count = mode === "channel" ? S[S.length - 1]! : size(S);
  const p = s.norm(count, { pow2: true });
  const shape = mode === "channel" ? [count] : S;
  const opts = s.neuronOpts(S, { mt: true });
  const n = m.add(
    b.neuron(m.id("n"), l, {
      ...opts,
      gain: s.bool(0.2) ? scalar(s.pick([0.5, 2, -1])) : scalar(1),
      bias: s.bool(0.2) ? scalar(s.real(0.5)) : scalar(0),
      mpbn: { mode, gamma: tensor(shape, p.gamma.data), beta: tensor(shape, p.beta.data), mean: tensor(shape, p.mean.data), variance: tensor(shape, p.variance.data), epsilon: p.epsilon },
    }),
  );
  const outputs = [n];
  const next = s.pick(["none", "readout", "maxpool"] as const);
  if (next === "readout") outputs.push(m.readout(m.linear(n)));
  if (next === "maxpool" && S.length === 3) outputs.push(m.neuron(m.conv(m.pool(n, "maxpool"))));
  return m.build(outputs);
}
