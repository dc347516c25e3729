/** Random model shapes for the fold properties, one family per pass (see gen.ts for the tiers). */
import type { BatchNormNode, Graph, TdBNNode } from "../../src/ir/nodes.ts";
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

