/**
 * network.net: the integer model as the HDF5 file lava-dl's `netx.hdf5.Network` loads
 * (docs/LAVA-FIXED-POINT.md).
 *
 *   /layer/0          type "input" (S10, shape (1,)), shape (C,H,W) or (F,)   — no neuron group
 *   /layer/k          type "flatten", shape (F,1,1)     before a dense that reads an [H,W,C] layer
 *   /layer/k          type "dense" | "conv", shape (F,) or (C,H,W)
 *                     neuron/{type "CUBA", vThMant, iDecay, vDecay}  (int64 scalars)
 *                     weight  int32, dense (out, in), conv (out, in/groups, kH, kW) cross-correlation
 *                     bias    int32 bias mantissa (netx fixes bias_exp = 6): (C,) per channel or (F,);
 *                             per neuron on a conv in netx's (W,H,C) order
 *                     conv:   stride, padding, dilation (H,W) int64, groups int64 scalar
 * Only datasets (netx reads no attributes). Never `neuron/messageBits` (a CUBA layer with it hangs
 * Lava). A dense after flatten reads torch (C,H,W) order; the first layer reads the host's input
 * in Lava's (W,H,C) order (conv) or (C,H,W) order (dense after flatten).
 *
 * netx maps CUBA → LIF(vth = vThMant, du = iDecay − 1, dv = vDecay, bias_exp = 6); it cannot carry
 * a weight exponent, delays, graded-input width or reset schedule: the first two must be absent
 * (`netxCheck`), the last two are arguments of `netx.hdf5.Network(...)`, written to network.lava.json.
 *
 * Bytes are deterministic: HDF5 stamps object headers with the time, so the clock it reads is
 * pinned while the (synchronous) write runs.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type H5wasm from "h5wasm/node";
import {
  populationSize,
  type ConvSynapse,
  type DenseSynapse,
  type FixedConnection,
  type FixedModel,
  type FixedPopulation,
} from "../model/integer-model.ts";
import { netxCheck } from "../quantize/netx-constraints.ts";
import { callHdf5 } from "./hdf5-call.ts";
import { deferSignals } from "../../util/signals.ts";

/** NHWC [H,W,C] → torch (C,H,W) shape; flat stays (F,). */
function torchShape(shape: number[]): number[] {
  return shape.length === 3 ? [shape[2]!, shape[0]!, shape[1]!] : [shape.reduce((a, b) => a * b, 1)];
}

/** Dense (out, in) with `in` in the order netx feeds it (torch CHW after flatten, else flat). */
function denseWeights(s: DenseSynapse, srcShape: number[], chw: boolean): Int32Array {
  const I = s.inSize;
  const O = s.outSize;
  const out = new Int32Array(O * I);
  const [H, W, C] = srcShape as [number, number, number];
  for (let i = 0; i < I; i++) {
    let j = i;
    if (chw) {
      const c = i % C;
      const x = Math.floor(i / C) % W;
      const y = Math.floor(i / (C * W));
      j = (c * H + y) * W + x;
    }
    for (let o = 0; o < O; o++) out[o * I + j] = s.weights[i * O + o]!;
  }
  return out;
}

/** HWIO [kh, kw, ki, co] → torch (co, ki, kh, kw). */
function convWeights(s: ConvSynapse): Int32Array {
  const [KH, KW, KI, CO] = s.kernelShape;
  const out = new Int32Array(s.kernel.length);
  for (let ky = 0; ky < KH; ky++)
    for (let kx = 0; kx < KW; kx++)
      for (let ki = 0; ki < KI; ki++)
        for (let co = 0; co < CO; co++) {
          out[((co * KI + ki) * KH + ky) * KW + kx] = s.kernel[((ky * KW + kx) * KI + ki) * CO + co]!;
        }
  return out;
}

/**
 * Bias mantissa: a dense layer is flat (F,) in its own output order; a conv layer per channel (C,)
 * when uniform over space, else per neuron in netx's (W,H,C) order.
 */
function biasData(p: FixedPopulation, conv: boolean): { data: Int32Array; shape: number[] } | undefined {
  const b = p.biasMant;
  if (b.every((v) => v === 0)) return undefined;
  if (!conv || p.shape.length !== 3) return { data: new Int32Array(b), shape: [b.length] };
  const [H, W, C] = p.shape as [number, number, number];
  let uniform = true;
  for (let i = C; i < b.length && uniform; i++) if (b[i] !== b[i % C]) uniform = false;
  if (uniform) return { data: b.slice(0, C), shape: [C] };
  const out = new Int32Array(b.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[(x * H + y) * C + c] = b[(y * W + x) * C + c]!;
  return { data: out, shape: [W, H, C] };
}

const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

type H5 = typeof H5wasm;
type H5File = InstanceType<H5["File"]>;
type H5Group = ReturnType<H5File["create_group"]>;

/**
 * One call of writing network.net, in the order they are made: a group (its path under the file's
 * root), or a dataset in a group. Plain data: the list can be made in one thread and written in
 * another (netx-worker.ts), its arrays transferred rather than copied.
 */
export type NetxEntry =
  | { group: string }
  | { in: string; name: string; data: Int32Array | BigInt64Array | string[]; shape: number[]; dtype?: "S10" };

/** The calls that write `m`'s netx file; every array in them is its own (fresh, none shared). */
export function netxEntries(m: FixedModel): NetxEntry[] {
  const out: NetxEntry[] = [{ group: "layer" }];
  const type = (g: string, value: string) => out.push({ in: g, name: "type", data: [value], shape: [1], dtype: "S10" });
  const data = (g: string, name: string, d: Int32Array | BigInt64Array, shape: number[]) =>
    out.push({ in: g, name, data: d, shape });
  let k = 0;
  const next = () => {
    const g = `layer/${k++}`;
    out.push({ group: g });
    return g;
  };
  const l0 = next();
  type(l0, "input");
  data(l0, "shape", i64(torchShape(m.input.shape)), [torchShape(m.input.shape).length]);
  let srcShape = m.input.shape;
  // Is the previous netx layer spatial ((C,H,W): the input or a conv)? A dense layer's output is flat.
  let src3d = m.input.shape.length === 3;
  for (const p of m.populations) {
    const c = m.connections.find((x) => x.to === p.id) as FixedConnection;
    if (c.synapse.kind === "dense" && src3d) {
      const fl = next();
      type(fl, "flatten");
      data(fl, "shape", i64([srcShape.reduce((a, b) => a * b, 1), 1, 1]), [3]);
    }
    const l = next();
    if (c.synapse.kind === "dense") {
      type(l, "dense");
      data(l, "shape", i64([populationSize(p)]), [1]);
    } else {
      type(l, "conv");
      data(l, "shape", i64(torchShape(p.shape)), [3]);
    }
    const n = `${l}/neuron`;
    out.push({ group: n });
    type(n, "CUBA");
    data(n, "vThMant", i64([p.vth]), []);
    data(n, "iDecay", i64([p.du + 1]), []);
    data(n, "vDecay", i64([p.dv]), []);
    if (c.synapse.kind === "diagonal") throw new RangeError(`netx: '${c.id}' has no netx form`);
    if (c.synapse.kind === "dense") {
      data(l, "weight", denseWeights(c.synapse, srcShape, src3d), [c.synapse.outSize, c.synapse.inSize]);
    } else {
      const s = c.synapse;
      const [KH, KW, KI, CO] = s.kernelShape;
      data(l, "weight", convWeights(s), [CO, KI, KH, KW]);
      data(l, "stride", i64(s.strides), [2]);
      data(l, "padding", i64([s.pads[0], s.pads[2]]), [2]);
      data(l, "dilation", i64(s.dilation), [2]);
      data(l, "groups", i64([s.groups]), []);
    }
    const b = biasData(p, c.synapse.kind === "conv");
    if (b) data(l, "bias", b.data, b.shape);
    srcShape = p.shape;
    src3d = c.synapse.kind === "conv";
  }
  return out;
}

/** The arrays of `entries`, to transfer them to another thread. */
export function netxBuffers(entries: readonly NetxEntry[]): ArrayBuffer[] {
  return entries.flatMap((e) => ("data" in e && !Array.isArray(e.data) ? [e.data.buffer as ArrayBuffer] : []));
}

function writeEntries(f: H5File, entries: readonly NetxEntry[]): void {
  const groups = new Map<string, H5File | H5Group>([["", f]]);
  for (const e of entries) {
    if ("group" in e) {
      const cut = e.group.lastIndexOf("/");
      const parent = groups.get(cut < 0 ? "" : e.group.slice(0, cut))!;
      groups.set(e.group, parent.create_group(e.group.slice(cut + 1)));
    } else {
      const { name, data, shape, dtype } = e;
      groups.get(e.in)!.create_dataset(dtype ? { name, data, shape, dtype } : { name, data, shape });
    }
  }
}

/**
 * The bytes of network.net. Throws (RangeError) when `netxCheck` fails. The file is written to a
 * fresh temporary directory under `tmpDir` (default: the OS temp dir), read back and removed.
 */
export async function writeNetx(m: FixedModel, opts: { tmpDir?: string } = {}): Promise<Uint8Array> {
  return writeNetxEntries(checkedNetxEntries(m), opts);
}

/** `netxEntries` of a model netx can express; else a RangeError. */
export function checkedNetxEntries(m: FixedModel): NetxEntry[] {
  const chk = netxCheck(m);
  if (!chk.ok) throw new RangeError(`network.net cannot express this model: ${chk.reason}`);
  return netxEntries(m);
}

/** The bytes of the file that `entries` write. */
export async function writeNetxEntries(
  entries: readonly NetxEntry[],
  opts: { tmpDir?: string } = {},
): Promise<Uint8Array> {
  const h5wasm = await h5wasmLoaded();
  // One piece: a signal waits for the temporary directory to be removed; HDF5's errors become one line.
  return deferSignals(() =>
    callHdf5("cannot write network.net", "E_WRITE", () => writeNetxFile(h5wasm, entries, opts.tmpDir)),
  );
}

let loading: Promise<H5> | undefined;

/**
 * h5wasm, loaded on first use (it costs every other command its start-up time otherwise), or
 * ahead of it by the thread that writes network.net (netx-worker.ts).
 */
export function h5wasmLoaded(): Promise<H5> {
  loading ??= import("h5wasm/node").then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return loading;
}

function writeNetxFile(h5wasm: H5, entries: readonly NetxEntry[], tmpDir: string | undefined): Uint8Array {
  const dir = mkdtempSync(join(tmpDir ?? tmpdir(), "snnc-netx-"));
  const path = join(dir, "network.net");
  const realNow = Date.now;
  try {
    Date.now = () => 0;
    const f = new h5wasm.File(path, "w");
    try {
      writeEntries(f, entries);
    } finally {
      f.close();
      Date.now = realNow;
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    Date.now = realNow;
    rmSync(dir, { recursive: true, force: true });
  }
}
