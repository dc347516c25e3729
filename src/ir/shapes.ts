/**
 * Shape inference and parameter validation. Every error names the node (layer) and, where it
 * applies, the parameter. Returns a new graph whose nodes carry `shape`.
 */
import { SnncError } from "./errors.ts";
import { checkStructure } from "./graph.ts";
import { windowGeometry } from "./conv-geometry.ts";
import type { Graph, IRNode, NeuronNode, PlaneNode } from "./nodes.ts";
import { broadcastable, firstNonFinite, sameShape, shapeStr, size, type Tensor } from "./tensor.ts";

export function inferShapes(g: Graph): Graph {
  checkStructure(g);
  if (!Number.isInteger(g.meta.timesteps) || g.meta.timesteps < 1) {
    throw new SnncError("E_FORMAT", `timesteps must be a positive integer, got ${g.meta.timesteps}`);
  }
  const shapes = new Map<string, number[]>();
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const nodes = g.nodes.map((n) => {
    const ins = n.inputs.map((i) => shapes.get(i)!);
    let out: number[];
    try {
      out = n.op === "plane" ? planeShape(n, ins, byId) : nodeShape(n, ins, g.meta.timesteps);
    } catch (e) {
      if (e instanceof SnncError) throw e.withLocation({ layer: n.id });
      throw e;
    }
    shapes.set(n.id, out);
    return { ...n, shape: out } as IRNode;
  });
  return { ...g, nodes };
}

function need(cond: boolean, msg: string, param?: string, code: "E_SHAPE" | "E_WEIGHT" = "E_SHAPE"): asserts cond {
  if (!cond) throw new SnncError(code, msg, { param });
}

function arity(n: IRNode, ins: number[][], k: number): void {
  need(ins.length === k, `${n.op} takes ${k} input${k === 1 ? "" : "s"}, got ${ins.length}`);
}

function finite(t: Tensor, param: string): void {
  const i = firstNonFinite(t);
  if (i >= 0) throw new SnncError("E_VALUE", `${t.data[i]} at index ${i} (parameters must be finite)`, { param });
}

function finiteNum(v: number, param: string): void {
  if (!Number.isFinite(v)) throw new SnncError("E_VALUE", `${v} (parameters must be finite)`, { param });
}

function channelParam(t: Tensor, c: number, param: string): void {
  need(
    t.shape.length === 1 && t.shape[0] === c,
    `shape ${shapeStr(t.shape)} does not match ${c} channels`,
    param,
    "E_WEIGHT",
  );
  finite(t, param);
}

function stepChannelParam(t: Tensor, T: number, c: number, param: string): void {
  need(
    t.shape.length === 2 && t.shape[0] === T && t.shape[1] === c,
    `shape ${shapeStr(t.shape)}, expected [${T},${c}] (timesteps, channels)`,
    param,
    "E_WEIGHT",
  );
  finite(t, param);
}

function variance(t: Tensor, eps: number, param: string): void {
  for (let i = 0; i < t.data.length; i++) {
    if (!(t.data[i]! + eps > 0)) {
      throw new SnncError("E_VALUE", `variance ${t.data[i]} at index ${i} gives σ²+ε = ${t.data[i]! + eps} <= 0`, {
        param,
      });
    }
  }
}

function spatial(s: number[], what: string): [number, number, number] {
  need(s.length === 3, `${what} needs an [H,W,C] input, got ${shapeStr(s)}`);
  return [s[0]!, s[1]!, s[2]!];
}

function positive(s: number[], what: string): number[] {
  need(
    s.every((d) => Number.isInteger(d) && d > 0),
    `${what} gives an empty or invalid output ${shapeStr(s)}`,
  );
  return s;
}

/** A plane reads one spike plane of a neuron: index 0 (s_0) .. n (the neuron's planeThresholds). */
function planeShape(n: PlaneNode, ins: number[][], byId: ReadonlyMap<string, IRNode>): number[] {
  arity(n, ins, 1);
  const src = byId.get(n.inputs[0]!)!;
  need(src.op === "neuron", `plane reads '${src.id}' (${src.op}); its input must be a neuron`);
  const planes = (src as NeuronNode).planeThresholds?.length ?? 0;
  need(
    Number.isInteger(n.index) && n.index >= 0 && n.index <= planes,
    `plane index ${n.index} is outside 0..${planes} (neuron '${src.id}' has ${planes + 1} spike plane${planes ? "s" : ""})`,
    "index",
  );
  return [...ins[0]!];
}

function nodeShape(n: Exclude<IRNode, PlaneNode>, ins: number[][], T: number): number[] {
  switch (n.op) {
    case "input":
      arity(n, ins, 0);
      return positive([...n.inputShape], "input");
    case "conv2d": {
      arity(n, ins, 1);
      const [h, w, c] = spatial(ins[0]!, "conv2d");
      need(
        n.kernel.shape.length === 4,
        `kernel shape ${shapeStr(n.kernel.shape)} is not [kh,kw,cin,cout]`,
        "kernel",
        "E_WEIGHT",
      );
      const [kh, kw, kin, cout] = n.kernel.shape as [number, number, number, number];
      need(
        Number.isInteger(n.groups) && n.groups >= 1 && c % n.groups === 0 && cout % n.groups === 0,
        `groups ${n.groups} does not divide ${c} input / ${cout} output channels`,
      );
      need(
        kin * n.groups === c,
        `kernel expects ${kin * n.groups} input channels, the input has ${c}`,
        "kernel",
        "E_WEIGHT",
      );
      finite(n.kernel, "kernel");
      if (n.bias) channelParam(n.bias, cout, "bias");
      const geo = windowGeometry(h, w, {
        kernel: [kh, kw],
        strides: n.strides,
        dilation: n.dilation,
        padding: n.padding,
      });
      return positive([geo.outH, geo.outW, cout], "conv2d");
    }
    case "dense": {
      arity(n, ins, 1);
      const s = ins[0]!;
      need(s.length === 1, `dense needs a flat input, got ${shapeStr(s)} (insert a Flatten)`);
      need(
        n.kernel.shape.length === 2 && n.kernel.shape[0] === s[0],
        `kernel shape ${shapeStr(n.kernel.shape)} does not take ${s[0]} inputs`,
        "kernel",
        "E_WEIGHT",
      );
      finite(n.kernel, "kernel");
      if (n.bias) channelParam(n.bias, n.kernel.shape[1]!, "bias");
      return [n.kernel.shape[1]!];
    }
    case "avgpool":
    case "maxpool":
    case "sumpool": {
      arity(n, ins, 1);
      const [h, w, c] = spatial(ins[0]!, n.op);
      const geo = windowGeometry(h, w, { kernel: n.pool, strides: n.strides, dilation: [1, 1], padding: n.padding });
      return positive([geo.outH, geo.outW, c], n.op);
    }
    case "flatten":
      arity(n, ins, 1);
      return [size(ins[0]!)];
    case "reshape": {
      arity(n, ins, 1);
      const total = size(ins[0]!);
      const free = n.target.filter((d) => d === -1).length;
      need(free <= 1, `reshape target ${shapeStr(n.target)} has more than one -1`);
      const known = n.target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const out = n.target.map((d) => (d === -1 ? total / known : d));
      need(
        size(out) === total && out.every((d) => Number.isInteger(d) && d > 0),
        `cannot reshape ${shapeStr(ins[0]!)} to ${shapeStr(n.target)}`,
      );
      return out;
    }
    case "pad": {
      arity(n, ins, 1);
      const [h, w, c] = spatial(ins[0]!, "pad");
      need(
        n.pads.every((p) => Number.isInteger(p) && p >= 0),
        `pads ${shapeStr(n.pads)} must be non-negative integers`,
      );
      return [h + n.pads[0] + n.pads[1], w + n.pads[2] + n.pads[3], c];
    }
    case "add": {
      need(ins.length >= 2, `add takes at least 2 inputs, got ${ins.length}`);
      for (let i = 1; i < ins.length; i++) {
        need(
          sameShape(ins[i]!, ins[0]!),
          `add inputs have different shapes ${shapeStr(ins[0]!)} ('${n.inputs[0]}') and ${shapeStr(ins[i]!)} ('${n.inputs[i]}')`,
        );
      }
      return [...ins[0]!];
    }
    case "affine": {
      arity(n, ins, 1);
      need(
        broadcastable(n.scale.shape, ins[0]!),
        `scale ${shapeStr(n.scale.shape)} does not broadcast onto ${shapeStr(ins[0]!)}`,
        "scale",
        "E_WEIGHT",
      );
      need(
        broadcastable(n.shift.shape, ins[0]!),
        `shift ${shapeStr(n.shift.shape)} does not broadcast onto ${shapeStr(ins[0]!)}`,
        "shift",
        "E_WEIGHT",
      );
      finite(n.scale, "scale");
      finite(n.shift, "shift");
      return [...ins[0]!];
    }
    case "bn":
    case "tdbn": {
      arity(n, ins, 1);
      const s = ins[0]!;
      const c = s[s.length - 1]!;
      finiteNum(n.epsilon, "epsilon");
      channelParam(n.gamma, c, "gamma");
      channelParam(n.beta, c, "beta");
      channelParam(n.mean, c, "moving_mean");
      channelParam(n.variance, c, "moving_variance");
      variance(n.variance, n.epsilon, "moving_variance");
      if (n.op === "tdbn") {
        finiteNum(n.alpha, "alpha");
        finiteNum(n.vth, "v_threshold");
      }
      return [...s];
    }
    case "bntt":
    case "tebn":
    case "tab": {
      arity(n, ins, 1);
      const s = ins[0]!;
      const c = s[s.length - 1]!;
      need(
        Number.isInteger(n.timesteps) && n.timesteps >= 1,
        `timesteps ${n.timesteps} must be a positive integer`,
        "timesteps",
      );
      need(n.timesteps >= T, `holds parameters for ${n.timesteps} steps but the model runs ${T}`, "timesteps");
      finiteNum(n.epsilon, "epsilon");
      const Tn = n.timesteps;
      if (n.op === "bntt") {
        stepChannelParam(n.gamma, Tn, c, "gamma");
        stepChannelParam(n.mean, Tn, c, "moving_mean");
        stepChannelParam(n.variance, Tn, c, "moving_variance");
        variance(n.variance, n.epsilon, "moving_variance");
      } else if (n.op === "tebn") {
        channelParam(n.gamma, c, "gamma");
        channelParam(n.beta, c, "beta");
        channelParam(n.mean, c, "moving_mean");
        channelParam(n.variance, c, "moving_variance");
        variance(n.variance, n.epsilon, "moving_variance");
        const ok =
          (n.p.shape.length === 1 && n.p.shape[0] === Tn) ||
          (n.p.shape.length === 2 && n.p.shape[0] === Tn && n.p.shape[1] === c);
        need(ok, `shape ${shapeStr(n.p.shape)}, expected [${Tn}] or [${Tn},${c}]`, "p", "E_WEIGHT");
        finite(n.p, "p");
      } else {
        stepChannelParam(n.gammaHat, Tn, c, "gamma_hat");
        stepChannelParam(n.betaHat, Tn, c, "beta_hat");
        stepChannelParam(n.meanAcc, Tn, c, "moving_mean_acc");
        stepChannelParam(n.varAcc, Tn, c, "moving_var_acc");
        variance(n.varAcc, n.epsilon, "moving_var_acc");
      }
      return [...s];
    }
    case "pspnorm": {
      arity(n, ins, 1);
      const s = ins[0]!;
      const c = s[s.length - 1]!;
      finiteNum(n.lambda, "lambda");
      if (n.mode === "bn") {
        need(!!n.gamma && !!n.sqMean, `PSPNorm mode "bn" needs gamma and moving_sq_mean`, undefined, "E_WEIGHT");
        channelParam(n.gamma!, c, "gamma");
        channelParam(n.sqMean!, c, "moving_sq_mean");
        variance(n.sqMean!, n.lambda, "moving_sq_mean");
      }
      return [...s];
    }
    case "neuron":
      arity(n, ins, 1);
      checkNeuron(n, ins[0]!, T);
      return [...ins[0]!];
    case "readout":
      arity(n, ins, 1);
      return [...ins[0]!];
  }
}

function checkNeuron(n: NeuronNode, s: number[], T: number): void {
  const bc = (t: Tensor, param: string, allowInf = false) => {
    need(
      broadcastable(t.shape, s),
      `shape ${shapeStr(t.shape)} does not broadcast onto ${shapeStr(s)}`,
      param,
      "E_WEIGHT",
    );
    if (allowInf) {
      for (let i = 0; i < t.data.length; i++) {
        if (Number.isNaN(t.data[i]!)) throw new SnncError("E_VALUE", `NaN at index ${i}`, { param });
      }
    } else finite(t, param);
  };
  finiteNum(n.decay, "tau");
  need(n.decay > 0 && n.decay <= 1, `decay factor ${n.decay} is outside (0, 1]`, "tau");
  if (n.plifA !== undefined) finiteNum(n.plifA, "a");
  finiteNum(n.vThreshold, "v_threshold");
  bc(n.gain, "gain");
  bc(n.bias, "bias");
  // Thresholds may be ±Infinity after folding (a neuron that can never / always fire).
  bc(n.threshold, "v_threshold", true);
  for (const [i, p] of (n.planeThresholds ?? []).entries()) bc(p, `deltas[${i}]`, true);
  bc(n.vReset, "v_reset");
  bc(n.resetAmount, "reset_amount");
  if (n.v0) bc(n.v0, "v0");
  if (n.selfWeight) bc(n.selfWeight, "selfWeight");
  if (n.mpbn) {
    const m = n.mpbn;
    const c = s[s.length - 1]!;
    const want = m.mode === "channel" ? [c] : s;
    for (const [name, t] of [
      ["mpbn_gamma", m.gamma],
      ["mpbn_beta", m.beta],
      ["mpbn_moving_mean", m.mean],
      ["mpbn_moving_variance", m.variance],
    ] as const) {
      need(
        sameShape(t.shape, want),
        `shape ${shapeStr(t.shape)}, expected ${shapeStr(want)} for MPBN mode "${m.mode}"`,
        name,
        "E_WEIGHT",
      );
      finite(t, name);
    }
    finiteNum(m.epsilon, "mpbn.epsilon");
    variance(m.variance, m.epsilon, "mpbn_moving_variance");
  }
  if (n.schedule) {
    const sc = n.schedule;
    need(
      sc.decay.length >= T && sc.bias.length === sc.decay.length && sc.thresholdScale.length === sc.decay.length,
      `schedule holds ${sc.decay.length} steps but the model runs ${T}`,
      "schedule",
    );
    for (const [key, list] of [
      ["decay", sc.decay],
      ["bias", sc.bias],
      ["thresholdScale", sc.thresholdScale],
    ] as const) {
      for (let i = 0; i < list.length; i++) bc(list[i]!, `schedule.${key}[${i}]`);
    }
  }
}
