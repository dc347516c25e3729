/**
 * Shape inference and parameter validation. Every error names the node (layer) and, where it
 * applies, the parameter. Returns a new graph whose nodes carry `shape`.
 */
import { SnncError } from "./errors.ts";
import { checkStructure } from "./graph.ts";
import { windowGeometry } from "./conv-geometry.ts";
import { checkLayerShape, checkNeuronSteps, checkTimesteps, checkWindow, neuronElements } from "./limits.ts";
import type { DelayNode, Graph, IRNode, NeuronNode, PlaneNode } from "./nodes.ts";
import {
  arity,
  channelParam,
  finite,
  finiteNum,
  need,
  positive,
  spatial,
  stepChannelParam,
  variance,
} from "./shape-checks.ts";
import { checkLi, checkNeuron, delaySteps, recurrentDelayShape } from "./stateful-shapes.ts";
import { broadcastable, sameShape, shapeStr, size } from "./tensor.ts";

export function inferShapes(g: Graph): Graph {
  checkStructure(g);
  if (!Number.isInteger(g.meta.timesteps) || g.meta.timesteps < 1) {
    throw new SnncError("E_FORMAT", `timesteps must be a positive integer, got ${g.meta.timesteps}`);
  }
  checkTimesteps(g.meta.timesteps);
  const shapes = new Map<string, number[]>();
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const recurrent: DelayNode[] = [];
  const nodes = g.nodes.map((n) => {
    let out: number[];
    try {
      if (n.op === "delay" && !shapes.has(n.inputs[0]!)) {
        recurrent.push(n);
        out = recurrentDelayShape(n);
      } else {
        const ins = n.inputs.map((i) => shapes.get(i)!);
        out = n.op === "plane" ? planeShape(n, ins, byId) : nodeShape(n, ins, g.meta.timesteps);
      }
      checkLayerShape(out);
    } catch (e) {
      if (e instanceof SnncError) throw e.withLocation({ layer: n.id });
      throw e;
    }
    shapes.set(n.id, out);
    return { ...n, shape: out } as IRNode;
  });
  for (const d of recurrent) {
    const got = shapes.get(d.inputs[0]!)!;
    if (!sameShape(got, d.sourceShape!)) {
      throw new SnncError(
        "E_SHAPE",
        `recurrent edge from '${d.inputs[0]}': sourceShape ${shapeStr(d.sourceShape!)} but that node gives ${shapeStr(got)}`,
        { layer: d.id, param: "sourceShape" },
      );
    }
  }
  checkNeuronSteps(g.meta.timesteps, neuronElements(nodes));
  return { ...g, nodes };
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
      checkWindow([kh, kw], n.strides, n.dilation);
      const geo = windowGeometry(h, w, {
        kernel: [kh, kw],
        strides: n.strides,
        dilation: n.dilation,
        padding: n.padding,
      });
      checkWindow([kh, kw], n.strides, n.dilation, geo.pads);
      checkLayerShape([h + geo.pads[0] + geo.pads[1], w + geo.pads[2] + geo.pads[3], c], "padded input");
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
      checkWindow(n.pool, n.strides, [1, 1], undefined, "pool_size");
      const geo = windowGeometry(h, w, { kernel: n.pool, strides: n.strides, dilation: [1, 1], padding: n.padding });
      checkWindow(n.pool, n.strides, [1, 1], geo.pads, "pool_size");
      checkLayerShape([h + geo.pads[0] + geo.pads[1], w + geo.pads[2] + geo.pads[3], c], "padded input");
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
    case "li":
      arity(n, ins, 1);
      checkLi(n, ins[0]!);
      return [...ins[0]!];
    case "delay":
      arity(n, ins, 1);
      if (n.sourceShape !== undefined)
        need(
          sameShape(n.sourceShape, ins[0]!),
          `sourceShape ${shapeStr(n.sourceShape)} but '${n.inputs[0]}' gives ${shapeStr(ins[0]!)}`,
          "sourceShape",
        );
      delaySteps(n, ins[0]!, false);
      return [...ins[0]!];
  }
}
