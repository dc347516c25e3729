/**
 * Every NIR primitive on small files built here, checked against the equation computed directly in
 * NIR's channels-first layout (so the channels-last conversion is checked too).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadModel } from "../../../src/frontends/index.ts";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { broadcastTo } from "../../../src/ir/tensor.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { rejects } from "../../support/errors.ts";
import { f64, graph, type H5Tree, i64, nir, str, toIrOrder, writeNir } from "./nir-files.ts";

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const node = (g: Graph, id: string) => g.nodes.find((n) => n.id === id) as IRNode;

/** A graph input → `layer` → output, with `shape` in and `outShape` out. */
function single(layer: H5Tree, shape: number[], outShape: number[]): H5Tree {
  return graph({ input: nir.input(shape), x: layer, output: nir.output(outShape) }, [
    ["input", "x"],
    ["x", "output"],
  ]);
}

/** The output of node `id` at every step, in NIR order. */
function outputs(g: Graph, xsNir: number[][], id: string): number[][] {
  const inShape = node(g, g.nodes[0]!.id).shape!;
  const r = simulate(
    g,
    xsNir.map((x) => toIrOrder(x, inShape)),
    { timesteps: xsNir.length, all: true },
  );
  const tr = r.traces.get(id)!;
  return tr.out.map((o) => {
    const back = new Array<number>(o.length);
    const idx = toIrOrder(
      seq(o.length, (i) => i),
      tr.shape,
    );
    for (let j = 0; j < o.length; j++) back[idx[j]!] = o[j]!;
    return back;
  });
}

/** Direct NCHW convolution (cross-correlation) with symmetric padding, as PyTorch computes it. */
function conv(
  x: number[],
  [_C, H, W]: number[],
  w: number[],
  [O, K, KH, KW]: number[],
  o: { stride: number[]; pad: number[]; dil: number[]; groups: number; bias: number[] },
) {
  const OH = Math.floor((H + 2 * o.pad[0]! - o.dil[0]! * (KH - 1) - 1) / o.stride[0]!) + 1;
  const OW = Math.floor((W + 2 * o.pad[1]! - o.dil[1]! * (KW - 1) - 1) / o.stride[1]!) + 1;
  const y = new Array<number>(O * OH * OW).fill(0);
  const perGroup = O / o.groups;
  for (let oc = 0; oc < O; oc++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let s = o.bias[oc]!;
        const g = Math.floor(oc / perGroup);
        for (let k = 0; k < K; k++)
          for (let ky = 0; ky < KH; ky++)
            for (let kx = 0; kx < KW; kx++) {
              const iy = oy * o.stride[0]! - o.pad[0]! + ky * o.dil[0]!;
              const ix = ox * o.stride[1]! - o.pad[1]! + kx * o.dil[1]!;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += x[((g * K + k) * H + iy) * W + ix]! * w[((oc * K + k) * KH + ky) * KW + kx]!;
            }
        y[(oc * OH + oy) * OW + ox] = s;
      }
  return { y, shape: [O, OH, OW] };
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-12);

describe("linear primitives", () => {
  test("Conv2d: non-square kernel, stride (1, 2), padding (1, 0), per-element IF after it", async () => {
    const inS = [2, 5, 4];
    const wS = [3, 2, 3, 2];
    const w = seq(36, (i) => ((i * 7) % 11) / 5 - 1);
    const bias = [0.1, -0.2, 0.3];
    const ref = conv(
      seq(40, (i) => ((i * 5) % 7) / 3),
      inS,
      w,
      wS,
      {
        stride: [1, 2],
        pad: [1, 0],
        dil: [1, 1],
        groups: 1,
        bias,
      },
    );
    const n = ref.y.length;
    const layer: H5Tree = {
      type: str("Conv2d"),
      weight: f64(w, wS),
      bias: f64(bias),
      stride: i64([1, 2]),
      padding: i64([1, 0]),
      dilation: i64([1], []),
      groups: i64([1], []),
      input_shape: i64([5, 4]),
    };
    const file = await writeNir(
      graph(
        {
          input: nir.input(inS),
          c: layer,
          n: {
            type: str("IF"),
            r: f64(
              seq(n, (i) => 1 + i / 100),
              ref.shape,
            ),
            v_threshold: f64(new Array(n).fill(2), ref.shape),
          },
          output: nir.output(ref.shape),
        },
        [
          ["input", "c"],
          ["c", "n"],
          ["n", "output"],
        ],
      ),
    );
    const g = await loadModel(file);
    assert.deepEqual(node(g, "c").shape, [ref.shape[1], ref.shape[2], ref.shape[0]]);
    assert.ok(close(outputs(g, [seq(40, (i) => ((i * 5) % 7) / 3)], "c")[0]!, ref.y));
    // r per neuron: the IR holds it channels last.
    const gain = broadcastTo((node(g, "n") as NeuronNode).gain, node(g, "n").shape!);
    assert.deepEqual(
      Array.from(gain),
      Array.from(
        toIrOrder(
          seq(n, (i) => 1 + i / 100),
          node(g, "n").shape!,
        ),
      ),
    );
  });

  test('Conv2d: groups 2, dilation 2, padding "same"; Conv1d: padding "same"', async () => {
    const w = seq(4 * 2 * 9, (i) => ((i * 3) % 13) / 6 - 1);
    const x = seq(4 * 36, (i) => (i % 5) / 4);
    const ref = conv(x, [4, 6, 6], w, [4, 2, 3, 3], {
      stride: [1, 1],
      pad: [2, 2],
      dil: [2, 2],
      groups: 2,
      bias: [0, 0, 0, 0],
    });
    const c2: H5Tree = {
      type: str("Conv2d"),
      weight: f64(w, [4, 2, 3, 3]),
      bias: f64([0, 0, 0, 0]),
      stride: i64([1], []),
      padding: str("same"),
      dilation: i64([2, 2]),
      groups: i64([2], []),
    };
    const g = await loadModel(await writeNir(single(c2, [4, 6, 6], [4, 6, 6])));
    assert.ok(close(outputs(g, [x], "x")[0]!, ref.y));

    const w1 = seq(3 * 2 * 3, (i) => (i % 4) - 1.5);
    const x1 = seq(14, (i) => (i * 3) % 5);
    const ref1 = conv(x1, [2, 1, 7], w1, [3, 2, 1, 3], {
      stride: [1, 1],
      pad: [0, 1],
      dil: [1, 1],
      groups: 1,
      bias: [1, 2, 3],
    });
    const c1: H5Tree = {
      type: str("Conv1d"),
      weight: f64(w1, [3, 2, 3]),
      bias: f64([1, 2, 3]),
      stride: i64([1], []),
      padding: str("same"),
      dilation: i64([1], []),
      groups: i64([1], []),
    };
    const g1 = await loadModel(await writeNir(single(c1, [2, 7], [3, 7])));
    assert.deepEqual(node(g1, "x").shape, [1, 7, 3]);
    assert.ok(close(outputs(g1, [x1], "x")[0]!, ref1.y));
  });

  test("SumPool2d and AvgPool2d with padding: zero padding, counted by the average", async () => {
    const x = seq(2 * 5 * 5, (i) => (i * 7) % 10);
    const pool = (type: string): H5Tree => ({
      type: str(type),
      kernel_size: i64([3, 3]),
      stride: i64([2, 2]),
      padding: i64([1, 1]),
    });
    // Reference: a depthwise 3×3 conv of ones (sum), divided by 9 (average, padding counted).
    const w = seq(2 * 9, () => 1);
    const ref = conv(x, [2, 5, 5], w, [2, 1, 3, 3], {
      stride: [2, 2],
      pad: [1, 1],
      dil: [1, 1],
      groups: 2,
      bias: [0, 0],
    });
    for (const [type, scale] of [
      ["SumPool2d", 1],
      ["AvgPool2d", 1 / 9],
    ] as const) {
      const g = await loadModel(await writeNir(single(pool(type), [2, 5, 5], [2, 3, 3])));
      assert.ok(
        g.nodes.some((n) => n.op === "pad"),
        "NIR's padding becomes a pad node",
      );
      assert.ok(
        close(
          outputs(g, [x], "x")[0]!,
          ref.y.map((v) => v * scale),
        ),
        type,
      );
    }
  });

  test("Flatten (channels first) → Affine: the IR's channels-last flatten reads the same weights", async () => {
    const x = seq(2 * 2 * 3, (i) => i + 1);
    const W = [seq(12, (i) => i % 3), seq(12, (i) => (i * i) % 5)];
    const file = await writeNir(
      graph(
        {
          input: nir.input([2, 2, 3]),
          f: { type: str("Flatten"), start_dim: i64([0], []), end_dim: i64([-1], []), input_type: i64([2, 2, 3]) },
          a: nir.affine(W, [0.5, -1]),
          output: nir.output([2]),
        },
        [
          ["input", "f"],
          ["f", "a"],
          ["a", "output"],
        ],
      ),
    );
    const g = await loadModel(file);
    const want = W.map((row, o) => row.reduce((s, w, i) => s + w * x[i]!, [0.5, -1][o]!));
    assert.deepEqual(outputs(g, [x], "a")[0], want);
  });

  test("Scale per element, Delay in whole steps of dt", async () => {
    const s = [0.5, -2, 3];
    const g = await loadModel(await writeNir(single({ type: str("Scale"), scale: f64(s) }, [3], [3])));
    assert.deepEqual(outputs(g, [[2, 2, 2]], "x")[0], [1, -4, 6]);

    const d = await writeNir(single({ type: str("Delay"), delay: f64([2e-4, 0, 1e-4]) }, [3], [3]));
    const xs = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    assert.deepEqual(outputs(await loadModel(d), xs, "x"), [
      [0, 2, 0],
      [0, 5, 3],
      [1, 8, 6],
    ]);
    assert.deepEqual(outputs(await loadModel(d, { dt: 5e-5 }), xs, "x"), [
      [0, 2, 0],
      [0, 5, 0],
      [0, 8, 3],
    ]);
    await rejects(loadModel(d, { dt: 3e-4 }), {
      code: "E_VALUE",
      layer: "x",
      param: "delay",
      parts: ["delay 0.0002 s (index 0) is not a whole number of steps of dt = 0.0003 s"],
    });
  });
});

describe("neurons", () => {
  test("LIF: Euler (default) and exp discretisation, v_reset default 0 and explicit", async () => {
    const file = await writeNir(single(nir.lif(1, { tau: 2e-3, r: 2, leak: 0.25, theta: 10 }), [1], [1]));
    const eu = (await loadModel(file)).nodes.find((n) => n.op === "neuron") as NeuronNode;
    assert.equal(eu.decay, 1 - 1e-4 / 2e-3);
    assert.equal(eu.gain.data[0], (1e-4 / 2e-3) * 2);
    assert.equal(eu.bias.data[0], (1e-4 / 2e-3) * 0.25);
    assert.equal(eu.fire, "gt");
    const ex = (await loadModel(file, { dtMethod: "exp", dt: 5e-4 })).nodes.find(
      (n) => n.op === "neuron",
    ) as NeuronNode;
    assert.equal(ex.decay, 1 + Math.expm1(-5e-4 / 2e-3));
    assert.ok(Math.abs(ex.gain.data[0]! - (1 - Math.exp(-0.25)) * 2) < 1e-15);

    // v_reset: after the spike the membrane starts again from it.
    for (const reset of [undefined, 0.5]) {
      const f = await writeNir(
        single(nir.lif(1, { tau: 1e-4, r: 1, theta: 1, ...(reset !== undefined ? { reset } : {}) }), [1], [1]),
      );
      const g = await loadModel(f);
      const r = simulate(g, [Float64Array.of(2), Float64Array.of(0)], { timesteps: 2, membrane: true });
      const tr = r.traces.get("x")!;
      assert.deepEqual(
        tr.out.map((o) => o[0]),
        [1, 0],
      );
      // dt = τ: decay 0 (no memory), so the second step is the input alone… unless the decay held v_reset.
      assert.equal(tr.h![1]![0], 0, "decay 0: nothing of v_reset remains");
    }
    const g = await loadModel(await writeNir(single(nir.lif(1, { tau: 2e-4, theta: 1, reset: 0.5 }), [1], [1])));
    const r = simulate(g, [Float64Array.of(4), Float64Array.of(0)], { timesteps: 2, membrane: true });
    assert.equal(r.traces.get("x")!.h![1]![0], 0.5 * 0.5, "v_reset 0.5 decays by 1 − dt/τ = 0.5");
  });

  test("Euler refuses τ shorter than dt; a LIF whose τ differs per neuron is refused, an LI's is not", async () => {
    const file = await writeNir(single(nir.lif(2, { tau: 5e-5 }), [2], [2]));
    await rejects(loadModel(file), { code: "E_VALUE", layer: "x", param: "tau", parts: ["--dt-method exp"] });
    await loadModel(file, { dtMethod: "exp" });

    const mixed = {
      type: str("LIF"),
      tau: f64([1e-3, 2e-3]),
      r: f64([1, 1]),
      v_leak: f64([0, 0]),
      v_threshold: f64([1, 1]),
    };
    await rejects(loadModel(await writeNir(single(mixed, [2], [2]))), {
      code: "E_UNSUPPORTED",
      layer: "x",
      param: "tau",
      parts: ["one decay per layer"],
    });
    const li = { type: str("LI"), tau: f64([1e-3, 2e-3]), r: f64([1, 1]), v_leak: f64([0, 0]) };
    const g = await loadModel(await writeNir(single(li, [2], [2])));
    const n = node(g, "x");
    assert.equal(n.op, "li");
    if (n.op === "li") assert.deepEqual(Array.from(n.decay.data), [0.9, 0.95]);
  });

  test("IF, Threshold, I, LI, CubaLI, CubaLIF: their equations step by step", async () => {
    const xs = [[1], [0], [2], [0.5]];
    const run = async (layer: H5Tree) =>
      outputs(await loadModel(await writeNir(single(layer, [1], [1]))), xs, "x").map((o) => o[0]);
    assert.deepEqual(await run(nir.ifNeuron(1, 1.5, 1)), [0, 0, 1, 0]); // v: 1, 1, 3 → 0, 0.5
    assert.deepEqual(await run({ type: str("Threshold"), threshold: f64([0.75]) }), [1, 0, 1, 0]);
    assert.deepEqual(await run({ type: str("I"), r: f64([2]) }), [2, 2, 6, 7]);
    // LI, τ = 2·dt: y = y/2 + (r·x + v_leak)/2.
    assert.deepEqual(
      await run({ type: str("LI"), tau: f64([2e-4]), r: f64([2]), v_leak: f64([1]) }),
      [1.5, 1.25, 3.125, 2.5625],
    );
    // CubaLI: current i = i/2 + x/2 (τ_syn = 2·dt, w_in 1), then v = v/2 + i/2 (r 1).
    const cubaLi = {
      type: str("CubaLI"),
      tau_syn: f64([2e-4]),
      tau_mem: f64([2e-4]),
      r: f64([1]),
      v_leak: f64([0]),
      w_in: f64([1]),
    };
    assert.deepEqual(await run(cubaLi), [0.25, 0.25, 0.6875, 0.75]);
    // CubaLIF with the same current, threshold 0.5: v = 0.25, 0.25 (+0.25·½ …) fires when above 0.5.
    const cubaLif = { ...cubaLi, type: str("CubaLIF"), v_threshold: f64([0.5]) };
    assert.deepEqual(await run(cubaLif), [0, 0, 1, 0]);
  });

  test("an I that snnc wrote as a Readout is read back as one; a model ending in LI reads out its last value", async () => {
    const ro = { type: str("I"), r: f64([1, 1]), metadata: { snnc_readout: str("mean") } };
    const g = await loadModel(await writeNir(single(ro, [2], [2])));
    assert.deepEqual(
      g.nodes.map((n) => n.op),
      ["input", "readout"],
    );
    const li = await loadModel(await writeNir(single({ type: str("I"), r: f64([1, 2]) }, [2], [2])));
    const r = simulate(li, [Float64Array.of(1, 1), Float64Array.of(3, 0)], { timesteps: 2 });
    assert.deepEqual(Array.from(r.readouts.get("x")!), [4, 2]);
  });
});

describe("graphs", () => {
  test("a nested NIRGraph is inlined: edges into the graph reach its Input, edges out leave its Output", async () => {
    const sub = graph(
      {
        in: nir.input([2]),
        lin: nir.linear([
          [1, 0],
          [0, 2],
        ]),
        out: nir.output([2]),
      },
      [
        ["in", "lin"],
        ["lin", "out"],
      ],
    );
    const file = await writeNir(
      graph({ input: nir.input([2]), sub, n: nir.ifNeuron(2, 1.5), output: nir.output([2]) }, [
        ["input", "sub.in"],
        ["sub", "n"],
        ["n", "output"],
      ]),
    );
    const g = await loadModel(file);
    assert.deepEqual(
      g.nodes.map((n) => `${n.id}:${n.op}`),
      ["input:input", "sub.lin:dense", "n:neuron"],
    );
    assert.deepEqual(outputs(g, [[1, 1]], "n")[0], [0, 1]);
  });

  test("a cycle through a Delay of 2 steps is cut at the Delay; several inputs of a node are summed", async () => {
    // input → n (IF, θ 0.5) → d (Delay 2 steps) → w (×1) → n: a spike returns two steps later.
    const file = await writeNir(
      graph(
        {
          input: nir.input([1]),
          n: nir.ifNeuron(1, 0.5),
          d: { type: str("Delay"), delay: f64([2e-4]) },
          w: nir.linear([[1]]),
          output: nir.output([1]),
        },
        [
          ["input", "n"],
          ["n", "d"],
          ["d", "w"],
          ["w", "n"],
          ["n", "output"],
        ],
      ),
    );
    const g = await loadModel(file);
    const d = node(g, "d");
    assert.equal(d.op, "delay");
    assert.deepEqual(d.inputs, ["n"]);
    const spikes = outputs(g, [[1], [0], [0], [0], [0], [0]], "n").map((o) => o[0]);
    assert.deepEqual(spikes, [1, 0, 1, 0, 1, 0], "each spike comes back after 2 steps and fires again");
  });

  test("a cycle with no neuron and no Delay is refused", async () => {
    const file = await writeNir(
      graph({ input: nir.input([1]), a: nir.linear([[1]]), b: nir.linear([[1]]), output: nir.output([1]) }, [
        ["input", "a"],
        ["a", "b"],
        ["b", "a"],
        ["b", "output"],
      ]),
    );
    await rejects(loadModel(file), { code: "E_FORMAT", layer: "a", parts: ["cycle 'a' → 'b' → 'a' has no neuron"] });
  });

  test("graph metadata written by snnc sets T and the encoding; --dt overrides the file's time step", async () => {
    const md = {
      snnc_timesteps: i64([7], []),
      snnc_encoding: str("direct"),
      snnc_dt: f64([1e-3], []),
      snnc_dt_method: str("exp"),
    };
    const top = graph({ input: nir.input([1]), x: nir.lif(1, { tau: 1e-2 }), output: nir.output([1]) }, [
      ["input", "x"],
      ["x", "output"],
    ]);
    const file = await writeNir({ ...top, metadata: md });
    const g = await loadModel(file);
    assert.equal(g.meta.timesteps, 7);
    assert.equal(g.meta.encoding, "direct");
    assert.deepEqual(g.meta.timeStep, { dt: 1e-3, method: "exp" });
    assert.equal((node(g, "x") as NeuronNode).decay, 1 + Math.expm1(-0.1));
    const h = await loadModel(file, { dt: 1e-4, dtMethod: "euler" });
    assert.equal((node(h, "x") as NeuronNode).decay, 1 - 1e-4 / 1e-2);
    const plain = await loadModel(await writeNir(top));
    assert.deepEqual(
      [plain.meta.timesteps, plain.meta.encoding, plain.meta.timeStep],
      [100, "spikes", { dt: 1e-4, method: "euler" }],
    );
  });
});
