/** Random graphs NIR can hold (folded, hard reset, one threshold), for the NIR round-trip property. */
import type { Graph, IRNode } from "../../src/ir/nodes.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { tensor } from "../../src/ir/tensor.ts";
import { ModelBuilder, type Src } from "../support/gen.ts";
import * as b from "../support/ir-builder.ts";

/** A random folded graph: conv / dense / pooling / residual layers, every neuron kind NIR holds, li, readout. */
export function randomGraph(s: Src): Graph {
  const m = new ModelBuilder(s);
  const neuron = (inp: string) => {
    const S = m.shape(inp);
    const C = S[S.length - 1]!;
    const o = s.neuronOpts(S);
    const decay = s.pick([1, 0, o.decay ?? 1, s.range(0.01, 0.999)]);
    const perNeuron = (v: number) => (s.bool(0.5) ? b.tensor([], [v]) : s.bool() ? s.tensor([C], 1) : s.tensor(S, 1));
    const bias = decay === 1 || s.bool(0.3) ? b.tensor([], [0]) : perNeuron(s.real(0.3));
    return m.add(
      b.neuron(m.id("n"), inp, {
        ...o,
        reset: "hard",
        decay,
        gain: perNeuron(s.range(0.2, 2)),
        bias,
        vThreshold: s.range(0.1, 2),
      }),
    );
  };
  let x = m.input();
  for (let k = s.int(1, 2); k > 0; k--) {
    x = neuron(s.bool(0.3) ? m.residual(x) : m.conv(x));
    if (s.bool(0.4)) {
      const [H, W] = m.shape(x) as [number, number];
      if (H >= 2 && W >= 2)
        x = m.add(
          b.pool(m.id("pool"), s.pick(["sumpool", "avgpool"] as const), x, [2, 2], [s.int(1, 2), s.int(1, 2)], "valid"),
        );
    }
  }
  x = neuron(m.dense(m.add(b.flatten(m.id("flat"), x))));
  if (s.bool(0.5)) {
    const inp = m.dense(x);
    const S = m.shape(inp);
    const unit = s.bool(0.3); // decay 1 and no bias: NIR's I
    const li: IRNode = {
      op: "li",
      id: m.id("li"),
      inputs: [inp],
      decay: unit
        ? b.tensor([], [1])
        : tensor(
            S,
            Array.from({ length: S[0]! }, () => s.range(0, 0.99)),
          ),
      gain: s.bool() ? s.tensor([], 1) : s.tensor(S, 1),
      bias: unit ? b.tensor([], [0]) : s.tensor([], 0.5),
    };
    return m.build([m.add(li)]);
  }
  return m.build([m.readout(m.dense(x))]);
}

/** A random recurrent layer: input → dense → (+ dense(neuron one step late)) → neuron → readout. */
export function recurrentGraph(s: Src): Graph {
  const I = s.int(2, 5);
  const N = s.int(2, 6);
  const nodes: IRNode[] = [
    b.input("x", [I]),
    b.dense("fc", "x", s.tensor([I, N], 1.5), s.tensor([N], 0.5)),
    { op: "delay", id: "n:recurrent", inputs: ["n"], steps: b.tensor([], [1]), sourceShape: [N] },
    b.dense("w_rec", "n:recurrent", s.tensor([N, N], 1), s.bool() ? s.tensor([N], 0.3) : undefined),
    b.add("n:sum", "fc", "w_rec"),
    b.neuron("n", "n:sum", { ...s.neuronOpts([N]), reset: "hard", decay: s.range(0.05, 0.99), gain: s.tensor([N], 2) }),
    b.readout("out", "n", "sum"),
  ];
  return inferShapes({ name: "rec", meta: { timesteps: s.int(3, 8), encoding: "spikes" }, nodes, outputs: ["out"] });
}
