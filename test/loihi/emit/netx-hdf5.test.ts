/**
 * network.net read back with h5wasm: every group, dataset, dtype and shape of docs/LAVA-FIXED-POINT.md §3, the
 * values against the integer model (converted here independently of the writer), and byte
 * identity across runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { writeNetx } from "../../../src/loihi/emit/netx-hdf5.ts";
import { netxCheck } from "../../../src/loihi/quantize/index.ts";
import { loadModel } from "../../../src/frontends/index.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { loihiDriver } from "../../../src/loihi/driver.ts";
import { outputBytes } from "../../../src/driver/output-content.ts";
import type { ConvSynapse, DenseSynapse, FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { snnc } from "../../support/cli.ts";
import { spikeFeatures } from "../../support/folded-graphs.ts";

type H5 = InstanceType<typeof h5wasm.File>;
type Entity = ReturnType<H5["get"]>;

async function open(bytes: Uint8Array): Promise<{ f: H5; done: () => void }> {
  await h5wasm.ready;
  const dir = mkdtempSync(join(tmpdir(), "snnc-test-"));
  const path = join(dir, "network.net");
  writeFileSync(path, bytes);
  const f = new h5wasm.File(path, "r");
  const done = () => {
    f.close();
    rmSync(dir, { recursive: true });
  };
  return { f, done };
}

interface DS {
  dtype: string;
  shape: number[];
  value: unknown;
}

function ds(f: H5, path: string): DS {
  const d = f.get(path) as Entity & { dtype: string; shape: number[]; value: unknown; attrs: Record<string, unknown> };
  assert.ok(d && d.constructor.name === "Dataset", `${path} is a dataset`);
  assert.deepEqual(Object.keys(d.attrs), [], `${path} has no attributes (netx reads none)`);
  return { dtype: d.dtype as string, shape: d.shape, value: d.value };
}

function keys(f: H5, path: string): string[] {
  const g = f.get(path) as Entity & { keys(): string[]; attrs: Record<string, unknown> };
  assert.ok(g && g.constructor.name === "Group", `${path} is a group`);
  assert.deepEqual(Object.keys(g.attrs), [], `${path} has no attributes`);
  return g.keys().sort();
}

const ints = (v: unknown) => Array.from(v as ArrayLike<number | bigint>, Number);

function expectType(f: H5, path: string, value: string): void {
  const d = ds(f, path);
  assert.equal(d.dtype, "S10");
  assert.deepEqual(d.shape, [1]);
  assert.deepEqual(d.value, [value]);
}

function expectI64(f: H5, path: string, shape: number[], value: number[]): void {
  const d = ds(f, path);
  assert.equal(d.dtype, "<q", `${path} is int64`);
  assert.deepEqual(d.shape, shape, `${path} shape`);
  assert.deepEqual(ints(shape.length ? d.value : [d.value]), value, `${path} value`);
}

function expectNeuron(f: H5, l: string, m: FixedModel, pid: string): void {
  const p = m.populations.find((x) => x.id === pid)!;
  assert.deepEqual(keys(f, `${l}/neuron`), ["iDecay", "type", "vDecay", "vThMant"]); // never messageBits
  expectType(f, `${l}/neuron/type`, "CUBA");
  expectI64(f, `${l}/neuron/vThMant`, [], [p.vth]);
  expectI64(f, `${l}/neuron/iDecay`, [], [p.du + 1]);
  expectI64(f, `${l}/neuron/vDecay`, [], [p.dv]);
}

/** torch (out, in/groups, kH, kW) of an HWIO kernel, written out here independently. */
function torchConv(s: ConvSynapse): number[] {
  const [KH, KW, KI, CO] = s.kernelShape;
  const out: number[] = [];
  for (let o = 0; o < CO; o++)
    for (let i = 0; i < KI; i++)
      for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) out.push(s.kernel[((y * KW + x) * KI + i) * CO + o]!);
  return out;
}

test("network.net of a conv fixture (tdbn): the netx layout, group by group", async () => {
  const g = await loadModel("fixtures/tdbn/model.json");
  const { quant } = buildLoihi(g, { target: "loihi2" });
  const m = quant.model;
  assert.deepEqual(netxCheck(m), { ok: true });
  const { f, done } = await open(writeNetx(m));
  try {
    assert.deepEqual(keys(f, "/"), ["layer"]);
    assert.deepEqual(keys(f, "layer"), ["0", "1", "2", "3", "4"]);
    // 0: input, (C,H,W), no neuron
    assert.deepEqual(keys(f, "layer/0"), ["shape", "type"]);
    expectType(f, "layer/0/type", "input");
    expectI64(f, "layer/0/shape", [3], [1, 8, 8]);
    // 1: conv 3×3 same on the graded input
    assert.deepEqual(keys(f, "layer/1"), [
      "bias",
      "dilation",
      "groups",
      "neuron",
      "padding",
      "shape",
      "stride",
      "type",
      "weight",
    ]);
    expectType(f, "layer/1/type", "conv");
    expectI64(f, "layer/1/shape", [3], [4, 8, 8]);
    expectNeuron(f, "layer/1", m, "lif1");
    const c1 = m.connections.find((c) => c.to === "lif1")!.synapse as ConvSynapse;
    const w1 = ds(f, "layer/1/weight");
    assert.equal(w1.dtype, "<i");
    assert.deepEqual(w1.shape, [4, 1, 3, 3]);
    assert.deepEqual(ints(w1.value), torchConv(c1));
    const b1 = ds(f, "layer/1/bias");
    assert.equal(b1.dtype, "<i");
    assert.deepEqual(b1.shape, [4]);
    assert.deepEqual(ints(b1.value), Array.from(m.populations[0]!.biasMant.subarray(0, 4)));
    expectI64(f, "layer/1/stride", [2], [1, 1]);
    expectI64(f, "layer/1/padding", [2], [1, 1]);
    expectI64(f, "layer/1/dilation", [2], [1, 1]);
    expectI64(f, "layer/1/groups", [], [1]);
    // 2: the conv with the average pool folded in: 6×6 kernel, stride 2, padding 2
    expectType(f, "layer/2/type", "conv");
    expectI64(f, "layer/2/shape", [3], [4, 4, 4]);
    assert.deepEqual(ds(f, "layer/2/weight").shape, [4, 4, 6, 6]);
    expectI64(f, "layer/2/stride", [2], [2, 2]);
    expectI64(f, "layer/2/padding", [2], [2, 2]);
    expectNeuron(f, "layer/2", m, "lif2");
    // 3: flatten (lava-dl's form: (F, 1, 1))
    assert.deepEqual(keys(f, "layer/3"), ["shape", "type"]);
    expectType(f, "layer/3/type", "flatten");
    expectI64(f, "layer/3/shape", [3], [64, 1, 1]);
    // 4: dense readout (an integrator: vth at its maximum, iDecay 4096, vDecay 0), reads torch (C,H,W) order
    assert.deepEqual(keys(f, "layer/4"), ["bias", "neuron", "shape", "type", "weight"]);
    expectType(f, "layer/4/type", "dense");
    expectI64(f, "layer/4/shape", [1], [3]);
    expectNeuron(f, "layer/4", m, "readout");
    expectI64(f, "layer/4/neuron/vThMant", [], [131071]);
    expectI64(f, "layer/4/neuron/iDecay", [], [4096]);
    expectI64(f, "layer/4/neuron/vDecay", [], [0]);
    const d = m.connections.find((c) => c.to === "readout")!.synapse as DenseSynapse;
    const w4 = ds(f, "layer/4/weight");
    assert.equal(w4.dtype, "<i");
    assert.deepEqual(w4.shape, [3, 64]);
    const wv = ints(w4.value);
    // snnc's input index of (y, x, c) on [4,4,4] is (y·4 + x)·4 + c; netx's (c·4 + y)·4 + x
    for (const [y, x, c, o] of [
      [0, 0, 0, 0],
      [1, 2, 3, 1],
      [3, 3, 1, 2],
      [2, 0, 2, 0],
    ] as const) {
      assert.equal(wv[o * 64 + (c * 4 + y) * 4 + x], d.weights[((y * 4 + x) * 4 + c) * 3 + o]);
    }
  } finally {
    done();
  }
});

test("network.net with spike input, max-pool (sum-pool conv) and dense layers", async () => {
  const { quant } = buildLoihi(spikeFeatures(), { target: "loihi2" });
  const m = quant.model;
  const { f, done } = await open(writeNetx(m));
  try {
    assert.deepEqual(keys(f, "layer"), ["0", "1", "2", "3", "4", "5"]);
    expectI64(f, "layer/0/shape", [3], [2, 6, 6]);
    expectType(f, "layer/1/type", "conv");
    expectType(f, "layer/2/type", "conv");
    // the sum-pool: depthwise (groups = C = 4), kernel of ones, stride 2
    expectI64(f, "layer/2/groups", [], [4]);
    assert.deepEqual(ds(f, "layer/2/weight").shape, [4, 1, 2, 2]);
    assert.ok(ints(ds(f, "layer/2/weight").value).every((v) => v === ints(ds(f, "layer/2/weight").value)[0]));
    expectI64(f, "layer/2/stride", [2], [2, 2]);
    expectI64(f, "layer/2/padding", [2], [0, 0]);
    expectI64(f, "layer/2/neuron/vThMant", [], [m.populations[1]!.vth]);
    expectType(f, "layer/3/type", "flatten");
    expectI64(f, "layer/3/shape", [3], [36, 1, 1]);
    expectType(f, "layer/4/type", "dense");
    expectType(f, "layer/5/type", "dense");
    // no flatten between two dense layers
    assert.deepEqual(ds(f, "layer/5/weight").shape, [3, 8]);
  } finally {
    done();
  }
});

test("outputs are byte-identical across runs (no clock in network.net)", async () => {
  const g = await loadModel("fixtures/time-distributed/model.json");
  const a = await loihiDriver.compile(g, { target: "loihi" });
  await new Promise((r) => setTimeout(r, 1100)); // a clock read in whole seconds would show
  const b = await loihiDriver.compile(g, { target: "loihi" });
  assert.deepEqual([...a.files.keys()], ["network.net", "network.lava.json", "hwconfig.json", "report.txt"]);
  for (const [k, v] of a.files) {
    const w = b.files.get(k)!;
    assert.ok(outputBytes(v).length > 0, `${k} not empty`);
    assert.equal(Buffer.compare(outputBytes(v), outputBytes(w)), 0, `${k} identical`);
  }
});

test("the shipped command writes the network.net that writeNetx gives", async () => {
  for (const fx of ["tdbn", "time-distributed"]) {
    const model = `fixtures/${fx}/model.json`;
    const out = mkdtempSync(join(tmpdir(), "snnc-netx-built-"));
    try {
      const r = snnc(["compile", model, "--target", "loihi2", "--agreement-samples", "0", "-o", join(out, "o")]);
      assert.equal(r.code, 0, r.stderr);
      const here = writeNetx(buildLoihi(await loadModel(model), { target: "loihi2" }).quant.model);
      assert.equal(Buffer.compare(readFileSync(join(out, "o", "network.net")), here), 0, `${fx}: identical bytes`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
});
