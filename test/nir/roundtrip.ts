/**
 * Writing a graph as NIR and reading it back with snnc's reader, and the check that every parameter
 * came back bit for bit (per element, after broadcasting) and every spike is the same.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadModel } from "../../src/frontends/index.ts";
import { windowGeometry } from "../../src/ir/conv-geometry.ts";
import type { Conv2DNode, Graph, IRNode, Pads } from "../../src/ir/nodes.ts";
import { broadcastTo, type Tensor } from "../../src/ir/tensor.ts";
import { nirDocument } from "../../src/nir/emit-graph.ts";
import { hdf5Bytes } from "../../src/nir/hdf5-write.ts";
import { simulate, type StepInput } from "../../src/sim/reference.ts";
import { tempDir } from "../support/model-files.ts";

/** `g` written as NIR and read back (with the time step it states). */
export async function roundTrip(g: Graph): Promise<{ back: Graph; bytes: Uint8Array; names: Map<string, string> }> {
  const doc = nirDocument(g);
  const bytes = hdf5Bytes(doc.tree);
  const file = join(await tempDir(), "model.nir");
  await writeFile(file, bytes);
  const back = await loadModel(file);
  return { back: { ...back, meta: { ...back.meta, timesteps: g.meta.timesteps } }, bytes, names: doc.names };
}

const same = (a: Tensor | undefined, b: Tensor | undefined, shape: number[], what: string, zero = false) => {
  const z = { shape: [], data: Float64Array.of(0) };
  const x = broadcastTo(a ?? (zero ? z : a!), shape);
  const y = broadcastTo(b ?? (zero ? z : b!), shape);
  for (let i = 0; i < x.length; i++)
    assert.ok(Object.is(x[i], y[i]), `${what}[${i}]: ${x[i]} written, ${y[i]} read back`);
};

/** The written conv's kernel inside the read-back one (which may hold zero taps added for padding). */
/** `before`: the pads of a pad node the written conv reads (the read-back conv pads by them itself). */
function sameConv(a: Conv2DNode, b: Conv2DNode, inA: number[], inB: number[], before: Pads) {
  assert.deepEqual([a.strides, a.dilation, a.groups], [b.strides, b.dilation, b.groups], a.id);
  const geo = (n: Conv2DNode, inShape: number[]) =>
    windowGeometry(inShape[0]!, inShape[1]!, {
      kernel: [n.kernel.shape[0]!, n.kernel.shape[1]!],
      strides: n.strides,
      dilation: n.dilation,
      padding: n.padding,
    });
  const [ga, gb] = [geo(a, inA), geo(b, inB)];
  assert.deepEqual([ga.outH, ga.outW], [gb.outH, gb.outW], `${a.id}: output size`);

  const [kh, kw, ki, ko] = a.kernel.shape as [number, number, number, number];
  const KW = b.kernel.shape[1]!;
  const dy = (gb.pads[0] - ga.pads[0] - before[0]) / a.dilation[0];
  const dx = (gb.pads[2] - ga.pads[2] - before[2]) / a.dilation[1];
  const at = (y: number, x: number, i: number, o: number) => ((y * KW + x) * ki + i) * ko + o;
  let nonzero = 0;
  for (let v = 0; v < b.kernel.data.length; v++) if (b.kernel.data[v] !== 0) nonzero++;
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ki; i++)
        for (let o = 0; o < ko; o++) {
          const w = a.kernel.data[((y * kw + x) * ki + i) * ko + o]!;
          assert.ok(Object.is(w, b.kernel.data[at(y + dy, x + dx, i, o)]), `${a.id}: kernel`);
          if (w !== 0) nonzero--;
        }
  assert.equal(nonzero, 0, `${a.id}: the added taps are zero`);
  same(a.bias, b.bias, [ko], `${a.id}.bias`, true);
}

/**
 * Every node of `a` that NIR holds as a node has its twin (same id) in `b` with bit-identical
 * parameters. Nodes NIR expresses otherwise (add: edges; pad: the reader's padding; flatten of a vector,
 * one-step recurrent delays: edges) are not compared one by one; the spikes say they survived.
 */
export function assertSameParameters(a: Graph, b: Graph, names: Map<string, string> = new Map()): number {
  const byId = new Map(b.nodes.map((n) => [n.id, n] as const));
  const shapes = new Map(a.nodes.map((n) => [n.id, n.shape!] as const));
  const shapesB = new Map(b.nodes.map((n) => [n.id, n.shape!] as const));
  let compared = 0;
  for (const n of a.nodes) {
    if (["add", "pad", "flatten", "reshape", "delay"].includes(n.op)) continue;
    const m = byId.get(names.get(n.id) ?? n.id) as IRNode | undefined;
    assert.ok(m, `'${n.id}' (${n.op}) is not read back`);
    const S = n.shape!;
    const ctx = `${n.id}`;
    compared++;
    switch (n.op) {
      case "input":
        assert.deepEqual(m.op === "input" && m.inputShape, n.inputShape, ctx);
        break;
      case "conv2d":
        assert.equal(m.op, "conv2d", ctx);
        {
          const src = a.nodes.find((x) => x.id === n.inputs[0]);
          const before: Pads = src?.op === "pad" ? src.pads : [0, 0, 0, 0];
          sameConv(n, m as Conv2DNode, shapes.get(n.inputs[0]!)!, shapesB.get(m.inputs[0]!)!, before);
        }
        break;
      case "dense":
        assert.equal(m.op, "dense", ctx);
        if (m.op === "dense") {
          same(n.kernel, m.kernel, n.kernel.shape, `${ctx}.kernel`);
          same(n.bias, m.bias, [n.kernel.shape[1]!], `${ctx}.bias`, true);
        }
        break;
      case "neuron":
        assert.equal(m.op, "neuron", ctx);
        if (m.op === "neuron") {
          assert.ok(Object.is(n.decay, m.decay), `${ctx}.decay: ${n.decay} written, ${m.decay} read back`);
          assert.deepEqual([n.fire, n.reset, n.vThreshold], [m.fire, m.reset, m.vThreshold], ctx);
          for (const k of ["gain", "bias", "threshold", "vReset", "resetAmount"] as const)
            same(n[k], m[k], S, `${ctx}.${k}`);
        }
        break;
      case "li":
        assert.equal(m.op, "li", ctx);
        if (m.op === "li") for (const k of ["decay", "gain", "bias"] as const) same(n[k], m[k], S, `${ctx}.${k}`);
        break;
      case "readout":
        assert.deepEqual(m.op === "readout" && m.mode, n.mode, ctx);
        break;
      case "affine":
        assert.equal(m.op, "affine", ctx);
        if (m.op === "affine") same(n.scale, m.scale, S, `${ctx}.scale`);
        break;
      case "sumpool":
      case "avgpool":
        assert.equal(m.op, n.op, ctx);
        if (m.op === n.op) assert.deepEqual([m.pool, m.strides], [n.pool, n.strides], ctx);
        break;
      default:
        assert.fail(`${ctx}: ${n.op} was written to NIR`);
    }
  }
  return compared;
}

/**
 * Every neuron's spikes identical, sample by sample, and every readout (bit for bit, or within
 * `readoutTol` relative when `a` is a model before folding). Returns the spikes compared.
 */
export function assertSameSpikes(
  a: Graph,
  b: Graph,
  inputs: StepInput[],
  names: Map<string, string> = new Map(),
  readoutTol = 0,
): number {
  let spikes = 0;
  for (const x of inputs) {
    const ra = simulate(a, x);
    const rb = simulate(b, x, { timesteps: a.meta.timesteps });
    for (const [id, tr] of ra.traces) {
      const other = rb.traces.get(names.get(id) ?? id);
      assert.ok(other, `no layer '${id}' read back`);
      tr.out.forEach((o, t) => {
        assert.deepEqual(Array.from(other.out[t]!), Array.from(o), `layer '${id}' step ${t}`);
        spikes += Array.from(o).reduce((s, v) => s + v, 0);
      });
    }
    for (const [id, v] of ra.readouts) {
      const w = rb.readouts.get(names.get(id) ?? id)!;
      if (readoutTol === 0) assert.deepEqual(Array.from(w), Array.from(v), id);
      else
        for (const [i, x] of v.entries())
          assert.ok(Math.abs(x - w[i]!) <= readoutTol * Math.max(1, Math.abs(x)), `${id}[${i}]`);
    }
  }
  return spikes;
}
