/**
 * Random-weight spiking ResNet-19 and VGG-16 at CIFAR shapes (32×32×3 input, 10 classes), as IR
 * graphs: the sizes a deployment compiler meets in practice. Conv → BN → LIF everywhere; ResNet-19
 * has the tdBN-paper layout (conv 128, then 3 + 3 + 2 basic blocks of 128, 256, 512 channels,
 * global average pooling, dense 256, dense 10); VGG-16 has 13 convs in 5 stages with 2×2 average
 * pooling and dense 512, 512, 10. Weights are He-scaled uniform (seeded), so the activity is moderate.
 */
import type { BatchNormNode, Graph, IRNode } from "../src/ir/nodes.ts";
import { floatArray, scalar, type Tensor } from "../src/ir/tensor.ts";
import { simulate, type StepInput } from "../src/sim/reference.ts";
import { mulberry32 } from "../src/util/prng.ts";

/** A tensor over freshly generated data (no copy). */
const t = (shape: number[], data: Float64Array): Tensor => ({ shape, data });

interface Builder {
  nodes: IRNode[];
  conv(id: string, input: string, cin: number, cout: number, k: number, stride: number): string;
  bn(id: string, input: string, c: number): string;
  lif(id: string, input: string): string;
  dense(id: string, input: string, fin: number, fout: number): string;
}

function builder(seed: number, theta: number): Builder {
  const rnd = mulberry32(seed);
  // as a frontend's tensors: shared memory when large (src/ir/tensor.ts)
  const arr = (n: number, lo: number, hi: number) => {
    const a = floatArray(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd();
    return a;
  };
  const nodes: IRNode[] = [];
  const he = (fanIn: number) => Math.sqrt(6 / fanIn);
  return {
    nodes,
    conv(id, input, cin, cout, k, stride) {
      const a = he(k * k * cin);
      nodes.push({
        id,
        op: "conv2d",
        inputs: [input],
        kernel: t([k, k, cin, cout], arr(k * k * cin * cout, -a, 1.2 * a)),
        strides: [stride, stride],
        padding: "same",
        dilation: [1, 1],
        groups: 1,
      });
      return id;
    },
    bn(id, input, c) {
      nodes.push({
        id,
        op: "bn",
        inputs: [input],
        gamma: t([c], arr(c, 0.8, 1.2)),
        beta: t([c], arr(c, -0.05, 0.15)),
        mean: t([c], arr(c, -0.1, 0.1)),
        variance: t([c], arr(c, 0.8, 1.5)),
        epsilon: 1e-5,
      });
      return id;
    },
    lif(id, input) {
      nodes.push({
        id,
        op: "neuron",
        inputs: [input],
        model: "LIF",
        decay: 0.5,
        gain: scalar(1),
        bias: scalar(0),
        fire: "ge",
        reset: "hard",
        threshold: scalar(theta),
        vReset: scalar(0),
        resetAmount: scalar(theta),
        vThreshold: theta,
      });
      return id;
    },
    dense(id, input, fin, fout) {
      const a = he(fin);
      nodes.push({ id, op: "dense", inputs: [input], kernel: t([fin, fout], arr(fin * fout, -a, 1.2 * a)) });
      return id;
    },
  };
}

function finish(name: string, b: Builder, last: string, T: number): Graph {
  b.nodes.push({ id: "readout", op: "readout", inputs: [last], mode: "mean" });
  return { name, meta: { timesteps: T, encoding: "direct" }, nodes: b.nodes, outputs: ["readout"] };
}

/** Spiking ResNet-19 (≈ 12.6 M weights); `width` scales every channel count (smaller models for tests). */
export function resnet19(T = 4, seed = 1, theta = 1, width = 1): Graph {
  const b = builder(seed, theta);
  const w = (c: number) => Math.max(1, Math.round(c * width));
  b.nodes.push({ id: "in", op: "input", inputs: [], inputShape: [32, 32, 3] });
  let x = b.lif("stem", b.bn("stem_bn", b.conv("stem_conv", "in", 3, w(128), 3, 1), w(128)));
  let c = w(128);
  let k = 0;
  for (const [cout, blocks, stride] of [
    [w(128), 3, 1],
    [w(256), 3, 2],
    [w(512), 2, 2],
  ] as const) {
    for (let i = 0; i < blocks; i++) {
      const s = i === 0 ? stride : 1;
      const p = `b${k++}`;
      const h = b.lif(`${p}_lif1`, b.bn(`${p}_bn1`, b.conv(`${p}_conv1`, x, c, cout, 3, s), cout));
      const main = b.bn(`${p}_bn2`, b.conv(`${p}_conv2`, h, cout, cout, 3, 1), cout);
      const short = s !== 1 || c !== cout ? b.bn(`${p}_bns`, b.conv(`${p}_convs`, x, c, cout, 1, s), cout) : x;
      b.nodes.push({ id: `${p}_add`, op: "add", inputs: [main, short] });
      x = b.lif(`${p}_lif2`, `${p}_add`);
      c = cout;
    }
  }
  b.nodes.push({ id: "gap", op: "avgpool", inputs: [x], pool: [8, 8], strides: [8, 8], padding: "valid" });
  b.nodes.push({ id: "flat", op: "flatten", inputs: ["gap"] });
  const f1 = b.lif("fc1_lif", b.dense("fc1", "flat", c, 256));
  return finish("resnet19-cifar", b, b.dense("fc2", f1, 256, 10), T);
}

/** Spiking VGG-16 (≈ 15 M weights); `width` scales every channel count. */
export function vgg16(T = 4, seed = 2, theta = 1, width = 1): Graph {
  const b = builder(seed, theta);
  const w = (c: number) => Math.max(1, Math.round(c * width));
  b.nodes.push({ id: "in", op: "input", inputs: [], inputShape: [32, 32, 3] });
  let x = "in";
  let c = 3;
  let hw = 32;
  let k = 0;
  for (const [cout, convs] of [
    [w(64), 2],
    [w(128), 2],
    [w(256), 3],
    [w(512), 3],
    [w(512), 3],
  ] as const) {
    for (let i = 0; i < convs; i++) {
      const p = `c${k++}`;
      x = b.lif(`${p}_lif`, b.bn(`${p}_bn`, b.conv(p, x, c, cout, 3, 1), cout));
      c = cout;
    }
    const id = `pool${k}`;
    b.nodes.push({ id, op: "avgpool", inputs: [x], pool: [2, 2], strides: [2, 2], padding: "valid" });
    x = id;
    hw /= 2;
  }
  b.nodes.push({ id: "flat", op: "flatten", inputs: [x] });
  const f1 = b.lif("fc1_lif", b.dense("fc1", "flat", hw * hw * c, w(512)));
  const f2 = b.lif("fc2_lif", b.dense("fc2", f1, w(512), w(512)));
  return finish("vgg16-cifar", b, b.dense("fc3", f2, w(512), 10), T);
}

/**
 * The graph with every BN's statistics measured on input `x`, as batch normalisation in training
 * would measure them: each channel's mean and variance of the BN's input over pixels and steps,
 * layer after layer (a BN is measured once every BN before it is). γ and β stay the builder's, so
 * each BN's output is ≈ N(β, γ²) per channel and each LIF fires at about the rate of a trained
 * network (10–30 %) at any depth, where He-scaled random weights alone drive a deep network to
 * fire at almost every step. While a BN waits for its statistics its β is −1e6: the layers after
 * it are silent, so each measuring run costs only the part already measured.
 */
export function calibrateBatchNorm(graph: Graph, x: StepInput): Graph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const ancestors = (id: string, seen = new Set<string>()): Set<string> => {
    for (const p of byId.get(id)!.inputs) if (!seen.has(p)) ancestors(p, seen.add(p));
    return seen;
  };
  const pending = new Set(graph.nodes.filter((n) => n.op === "bn").map((n) => n.id));
  const measured = new Map<string, { mean: Float64Array; variance: Float64Array }>();
  const current = (): Graph => ({
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.op !== "bn") return n;
      const m = measured.get(n.id);
      if (m) return { ...n, mean: t([m.mean.length], m.mean), variance: t([m.variance.length], m.variance) };
      return { ...n, beta: t(n.beta.shape, new Float64Array(n.beta.data.length).fill(-1e6)) };
    }),
  });
  while (pending.size) {
    const ready = [...pending].filter((id) => ![...ancestors(id)].some((a) => pending.has(a)));
    const inputsOf = new Map(ready.map((id) => [id, byId.get(id)!.inputs[0]!] as const));
    const run = simulate(current(), x, { trace: [...inputsOf.values()] });
    for (const id of ready) {
      const steps = run.traces.get(inputsOf.get(id)!)!.out;
      const C = (byId.get(id) as BatchNormNode).gamma.data.length;
      const sum = new Float64Array(C);
      const sq = new Float64Array(C);
      for (const s of steps) for (let i = 0; i < s.length; i++) sum[i % C] += s[i]!;
      const n = (steps.length * steps[0]!.length) / C;
      const mean = sum.map((v) => v / n);
      for (const s of steps)
        for (let i = 0; i < s.length; i++) {
          const d = s[i]! - mean[i % C]!;
          sq[i % C] += d * d;
        }
      measured.set(id, { mean, variance: sq.map((v) => Math.max(v / n, 1e-6)) });
      pending.delete(id);
    }
  }
  return current();
}
