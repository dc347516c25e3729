/** Random model shapes for the fold properties, one family per pass (see gen.ts for the tiers). */
import type { BatchNormNode, Graph, TdBNNode } from "../../src/ir/nodes.ts";
import { scalar, size, tensor } from "../../src/ir/tensor.ts";
import * as b from "./ir-builder.ts";
import { ModelBuilder, type Src } from "./gen.ts";

/** A random model with one or two BNs in every placement fold-bn accepts. */
export function bnModel(
  s: Src,
  makeNorm: (s: Src, id: string, inp: string, C: number) => BatchNormNode | TdBNNode,
): Graph {
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
      const a = m.residual(x);
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
  const mpbn = s.mpbn(S);
  const opts = s.neuronOpts(S, { mt: true });
  const n = m.add(
    b.neuron(m.id("n"), l, {
      ...opts,
      gain: s.bool(0.2) ? scalar(s.pick([0.5, 2, -1])) : scalar(1),
      bias: s.bool(0.2) ? scalar(s.real(0.5)) : scalar(0),
      mpbn,
    }),
  );
  const outputs = [n];
  const next = s.pick(["none", "readout", "maxpool"] as const);
  if (next === "readout") outputs.push(m.readout(m.linear(n)));
  if (next === "maxpool" && S.length === 3) outputs.push(m.neuron(m.conv(m.pool(n, "maxpool"))));
  return m.build(outputs);
}

/** A learnt PLIF a: 0 in the exact tier (τ_m = 2), else in [−3, 3]. */
const plifA = (s: Src): number => (s.tier === "exact" ? 0 : s.range(-3, 3));

/** PLIF neurons (plifA set; decay 1 − 1/τ_m, gain 1/τ_m, bias v_reset/τ_m) behind absorbable and non-absorbable producers. */
export function plifModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const plif = (inp: string) => {
    const a = plifA(s);
    const o = s.neuronOpts(m.shape(inp), { mt: true });
    const vReset = o.reset === "hard" && s.bool(0.5) ? s.real(0.5) : 0;
    return m.add(
      b.neuron(m.id("p"), inp, { ...o, ...b.plifOpts(a, vReset, !!o.planeThresholds), vReset: scalar(vReset) }),
    );
  };
  const outputs: string[] = [];
  switch (s.pick(["linear", "add", "shared", "stack"] as const)) {
    case "linear":
      outputs.push(plif(m.linear(x)));
      break;
    case "add":
      outputs.push(plif(m.residual(x)));
      break;
    case "shared": {
      const l = m.linear(x);
      outputs.push(plif(l), m.readout(l));
      break;
    }
    case "stack":
      outputs.push(m.readout(m.linear(plif(m.linear(plif(m.linear(x)))))));
      break;
  }
  return m.build(outputs);
}

/** PSP-BN on spikes (or on the analog input) reaching conv/dense/neuron through flatten, pad, pooling. */
export function pspModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const src = s.bool(0.2) ? x : m.neuron(m.conv(x));
  const C = m.shape(src)[2]!;
  const path = s.pick([
    "conv",
    "pad",
    "avgpool",
    "sumpool",
    "maxpool",
    "flatten",
    "poolflatten",
    "branch",
    "neuron",
  ] as const);
  const gamma = new Float64Array(C);
  const sq = new Float64Array(C);
  const lambda = s.tier === "exact" ? 1 / 16 : s.pick([0.1, 1e-3]);
  for (let c = 0; c < C; c++) {
    if (s.tier === "exact") {
      gamma[c] = s.pick([0, 0.5, -0.5, 1, -1, 2, -2]);
      const r = s.pick([0.5, 1, 2]);
      sq[c] = r * r - lambda;
    } else {
      gamma[c] = s.bool(0.15) ? 0 : s.real(2);
      sq[c] = s.range(0, 2);
    }
    if (path === "maxpool") gamma[c] = Math.abs(gamma[c]!);
  }
  const p = m.add(b.psp(m.id("psp"), src, tensor([C], gamma), tensor([C], sq), lambda));
  const outputs: string[] = [];
  const after = (l: string) => outputs.push(s.bool() ? m.neuron(l) : m.readout(l));
  switch (path) {
    case "conv":
      after(m.conv(p));
      break;
    case "pad":
      after(m.conv(m.add(b.pad(m.id("pad"), p, [s.int(0, 1), s.int(0, 1), s.int(0, 1), s.int(0, 1)]))));
      break;
    case "avgpool":
    case "sumpool":
    case "maxpool":
      after(m.conv(m.pool(p, path)));
      break;
    case "flatten":
      after(m.dense(m.add(b.flatten(m.id("flat"), p))));
      break;
    case "poolflatten":
      after(m.dense(m.add(b.flatten(m.id("flat"), m.pool(p, "avgpool")))));
      break;
    case "branch":
      after(m.conv(p));
      after(m.conv(m.pool(p, "avgpool")));
      break;
    case "neuron":
      outputs.push(m.neuron(p));
      break;
  }
  return m.build(outputs);
}

/** Affine nodes (per channel or per element) after single-consumer, shared, add and pooled producers. */
export function affineModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const aff = (inp: string, full = s.bool(0.3)) => {
    const S = m.shape(inp);
    const shape = full ? S : [S[S.length - 1]!];
    return m.add(b.affine(m.id("aff"), inp, s.tensor(shape, 2), s.tensor(shape, 1)));
  };
  const outputs: string[] = [];
  switch (s.pick(["single", "add", "pool", "shared", "readout"] as const)) {
    case "single":
      outputs.push(m.neuron(aff(m.linear(x))));
      break;
    case "add":
      outputs.push(m.neuron(aff(m.residual(x))));
      break;
    case "pool":
      outputs.push(m.neuron(aff(m.pool(m.conv(x), s.pick(["avgpool", "maxpool", "sumpool"] as const)))));
      break;
    case "shared": {
      const l = m.linear(x);
      outputs.push(m.neuron(aff(l)), m.readout(l));
      break;
    }
    case "readout": {
      const l = m.linear(x);
      outputs.push(m.readout(aff(l, false)), m.neuron(l));
      break;
    }
  }
  return m.build(outputs);
}

/** Neurons with scalar / per-channel / per-element gain and bias behind absorbable and other producers. */
export function gainModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const withGain = (inp: string) => {
    const S = m.shape(inp);
    const shape = () => s.pick([[], [S[S.length - 1]!], S]);
    const gs = shape();
    return m.neuron(inp, {
      gain: tensor(gs, s.array(size(gs), 2)),
      bias: s.bool() ? s.tensor(shape(), 0.5) : scalar(0),
    });
  };
  const outputs: string[] = [];
  switch (s.pick(["linear", "linear", "add", "shared"] as const)) {
    case "linear":
      outputs.push(withGain(m.linear(x)));
      break;
    case "add":
      outputs.push(withGain(m.residual(x)));
      break;
    case "shared": {
      const l = m.linear(x);
      outputs.push(withGain(l), m.readout(l));
      break;
    }
  }
  return m.build(outputs);
}

/** A stack of 1-3 blocks mixing every fold: linear → [BN | tdBN] → LIF / PLIF / MPBN / PLIF+MPBN neuron → [PSP-BN], then a readout. */
export function fullModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  let cur = m.input();
  const blocks = s.int(1, 3);
  for (let i = 0; i < blocks; i++) {
    let l = m.linear(cur);
    const S = m.shape(l);
    const C = S[S.length - 1]!;
    const norm = s.pick(["none", "bn", "tdbn"] as const);
    if (norm === "bn") l = m.add(b.bn(m.id("bn"), l, s.norm(C)));
    if (norm === "tdbn")
      l = m.add(b.tdbn(m.id("tdbn"), l, { ...s.norm(C), alpha: s.pick([0.5, 1]), vth: s.pick([0.5, 1, 2]) }));
    const o = s.neuronOpts(S, { mt: true });
    const kind = s.pick(["LIF", "PLIF", "MPBN", "PLIF+MPBN"] as const);
    if (kind.startsWith("PLIF")) Object.assign(o, b.plifOpts(plifA(s), 0, !!o.planeThresholds));
    if (kind.endsWith("MPBN")) o.mpbn = s.mpbn(S);
    cur = m.add(b.neuron(m.id("n"), l, o));
    if (i < blocks - 1 && m.shape(cur).length === 3 && s.bool(0.3)) {
      const C2 = m.shape(cur)[2]!;
      const gamma = Float64Array.from({ length: C2 }, () => s.pick([0, 0.5, -0.5, 1, -1, 2]));
      cur = m.add(b.psp(m.id("psp"), cur, tensor([C2], gamma), b.t([C2], 1 - 1 / 16), 1 / 16));
    }
  }
  const outputs = [cur];
  if (s.bool()) outputs.push(m.readout(m.linear(cur)));
  return m.build(outputs);
}
