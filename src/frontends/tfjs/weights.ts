/**
 * Weight shards → named float64 tensors. Quantised weights (float16, uint8/uint16) are decoded by
 * TF.js itself (`tf.io.decodeWeights`), so they mean exactly what they mean to TF.js; weights
 * stored as they are (float32, int32, bool) are read as TF.js reads them (weights-plain.ts), and
 * TF.js is then not loaded. Checks the manifest, the shard files and their lengths before decoding.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { SnncError } from "../../ir/errors.ts";
import { checkFileBytes, LIMITS, limitError } from "../../ir/limits.ts";
import { size, type Tensor } from "../../ir/tensor.ts";
import { describe, isObject, type Json } from "./config.ts";
import type { TF } from "./tf.ts";
import { decodePlain, isPlain } from "./weights-plain.ts";

export interface StoredWeight extends Tensor {
  /** The name in the manifest. */
  name: string;
  /** "float32", or the quantisation ("float16", "uint8", "uint16") the values were stored in. */
  storedAs: string;
}

type Spec = TF.io.WeightsManifestEntry;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

const wfmt = (detail: string, param?: string) => new SnncError("E_FORMAT", detail, { param });

function checkSpec(v: Json, where: string): Spec {
  if (!isObject(v)) throw wfmt(`${where} is ${describe(v)}, not a weight entry`);
  const name = v.name;
  if (typeof name !== "string" || name === "") throw wfmt(`${where} has no name`);
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    throw wfmt(`weightsManifest: weight '${name}' has shape ${describe(shape)}, not a list of sizes`);
  }
  const elements = shape.reduce((a: number, d) => a * (d as number), 1);
  if (elements > LIMITS.parameterElements)
    throw limitError(
      `weightsManifest: weight '${name}' of shape ${describe(shape)} has`,
      elements,
      LIMITS.parameterElements,
      undefined,
      " elements",
    );
  const dtype = v.dtype;
  if (dtype === undefined || dtype === null) throw wfmt(`weightsManifest: weight '${name}' has no dtype`);
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool") {
    throw new SnncError(
      "E_UNSUPPORTED",
      `weightsManifest: weight '${name}' has dtype ${describe(dtype)} (supported: float32, int32, bool, optionally quantised)`,
    );
  }
  const spec: Spec = { name, shape: shape as number[], dtype };
  const q = v.quantization;
  if (q !== undefined && q !== null) {
    if (!isObject(q)) throw wfmt(`weightsManifest: weight '${name}' has quantization ${describe(q)}, not an object`);
    const qd = q.dtype;
    if (qd === "float16") {
      if (dtype !== "float32")
        throw new SnncError(
          "E_UNSUPPORTED",
          `weightsManifest: weight '${name}' is float16-quantised but has dtype ${dtype} (TF.js allows float16 for float32 only)`,
        );
      spec.quantization = { dtype: qd };
    } else if (qd === "uint8" || qd === "uint16") {
      const { min, scale } = q;
      if (typeof min !== "number" || typeof scale !== "number" || !Number.isFinite(min) || !Number.isFinite(scale)) {
        throw wfmt(
          `weightsManifest: weight '${name}' is ${qd}-quantised without finite 'min' and 'scale' (got min ${describe(min)}, scale ${describe(scale)})`,
        );
      }
      if (dtype === "bool")
        throw new SnncError("E_UNSUPPORTED", `weightsManifest: weight '${name}' of dtype bool cannot be quantised`);
      spec.quantization = { dtype: qd, min, scale };
    } else {
      throw new SnncError(
        "E_UNSUPPORTED",
        `weightsManifest: weight '${name}' has quantization dtype ${describe(qd)} (supported: uint8, uint16, float16)`,
      );
    }
  }
  return spec;
}

/** The layer a weight name belongs to: the scope just before the weight's own name. */
function ownerLayer(name: string): string | undefined {
  const parts = name.replace(/:0$/, "").split("/");
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

function byteLength(s: Spec): number {
  return size(s.shape) * BYTES[s.quantization ? s.quantization.dtype : s.dtype]!;
}

function shardError(p: string, e: unknown): SnncError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "not found"
      : code === "EISDIR"
        ? "is a directory"
        : code === "EACCES"
          ? "cannot be read (permission denied)"
          : `cannot be read (${code ?? "I/O error"})`;
  return new SnncError("E_IO", `weight shard '${p}' ${why}`);
}

/** A shard's file name and size (checked before anything is read). */
async function statShard(dir: string, p: Json, group: number): Promise<{ path: string; bytes: number }> {
  if (typeof p !== "string" || p === "")
    throw wfmt(`weightsManifest[${group}].paths holds ${describe(p)}, not a file name`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p))
    throw new SnncError(
      "E_UNSUPPORTED",
      `weight shard '${p}' is a URL; snnc reads shards from files next to model.json`,
    );
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(resolve(dir, p));
  } catch (e) {
    throw shardError(p, e);
  }
  if (st.isDirectory()) throw shardError(p, { code: "EISDIR" });
  return { path: p, bytes: st.size };
}

async function readShard(dir: string, p: string): Promise<{ path: string; buf: ArrayBuffer }> {
  let data: Buffer;
  try {
    data = await readFile(resolve(dir, p));
  } catch (e) {
    throw shardError(p, e);
  }
  return { path: p, buf: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
}

/** A group's weights stored as they are: its shards are one byte stream, the weights in order. */
function decodeStored(shards: { buf: ArrayBuffer }[], specs: Spec[]): Float64Array[] {
  // one shard is read where it is; none (every weight empty) or several are joined
  let bytes = shards.length === 1 ? new Uint8Array(shards[0]!.buf) : new Uint8Array(0);
  if (shards.length > 1) {
    bytes = new Uint8Array(shards.reduce((a, s) => a + s.buf.byteLength, 0));
    let at = 0;
    for (const s of shards) {
      bytes.set(new Uint8Array(s.buf), at);
      at += s.buf.byteLength;
    }
  }
  let offset = 0;
  return specs.map((s) => {
    const values = decodePlain(bytes, offset, size(s.shape), s.dtype);
    offset += byteLength(s);
    return values;
  });
}

/** A group with quantised weights, decoded by TF.js (loaded only then). */
async function decodeWithTf(shards: { buf: ArrayBuffer }[], specs: Spec[], g: number): Promise<Float64Array[]> {
  const { tf } = await import("./tf.ts");
  const joined = tf.io.CompositeArrayBuffer.join(shards.map((s) => s.buf));
  let decoded: TF.NamedTensorMap;
  try {
    decoded = tf.io.decodeWeights(joined, specs);
  } catch (e) {
    throw new SnncError("E_WEIGHT", `TF.js cannot decode weightsManifest[${g}]: ${(e as Error).message}`);
  }
  return specs.map((s) => {
    const t = decoded[s.name]!;
    const values = t.dataSync();
    t.dispose();
    return Float64Array.from(values as ArrayLike<number>);
  });
}

/**
 * Read and decode every weight of `weightsManifest` (shard paths relative to `modelPath`'s folder).
 * Values are float64 copies of what TF.js decodes (exact: every float32 is a float64).
 */
export async function readWeights(manifest: unknown, modelPath: string): Promise<Map<string, StoredWeight>> {
  const out = new Map<string, StoredWeight>();
  if (manifest === undefined || manifest === null) return out;
  if (!Array.isArray(manifest))
    throw wfmt(`'weightsManifest' must be a list of {paths, weights} groups, got ${describe(manifest)}`);
  const dir = dirname(modelPath);
  let total = 0;
  for (const [g, group] of (manifest as Json[]).entries()) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw wfmt(`weightsManifest[${g}] is not a {paths, weights} group`);
    }
    const specs = group.weights.map((w, i) => checkSpec(w, `weightsManifest[${g}].weights[${i}]`));
    for (const s of specs) if (out.has(s.name)) throw wfmt(`weightsManifest: weight '${s.name}' appears twice`);
    const sizes = [];
    for (const p of group.paths) sizes.push(await statShard(dir, p, g));

    // The group's shards are one byte stream; every weight must lie inside it. Sizes are checked
    // from the files' lengths before any shard is read.
    const have = sizes.reduce((a, s) => a + s.bytes, 0);
    total += have;
    checkFileBytes(total, "the weight shards together");
    let need = 0;
    for (const s of specs) {
      const end = need + byteLength(s);
      if (end > have) {
        const files = sizes.map((x) => `'${x.path}'`).join(" + ") || "(no shard files)";
        throw new SnncError(
          "E_WEIGHT",
          `truncated weights: shard${sizes.length === 1 ? "" : "s"} ${files} hold${sizes.length === 1 ? "s" : ""} ${have} bytes but the manifest needs ${specs.reduce((a, x) => a + byteLength(x), 0)}; weight '${s.name}' (bytes ${need}..${end}) is cut off`,
          { layer: ownerLayer(s.name) },
        );
      }
      need = end;
    }
    if (specs.length === 0) continue;
    const shards = [];
    for (const x of sizes) shards.push(await readShard(dir, x.path));
    const read = shards.reduce((a, s) => a + s.buf.byteLength, 0);
    if (read !== have) throw new SnncError("E_IO", `weight shards changed while being read (${have} → ${read} bytes)`);

    const decoded = specs.every(isPlain) ? decodeStored(shards, specs) : await decodeWithTf(shards, specs, g);
    for (const [i, s] of specs.entries()) {
      out.set(s.name, {
        name: s.name,
        shape: [...s.shape],
        data: decoded[i]!,
        storedAs: s.quantization ? s.quantization.dtype : s.dtype,
      });
    }
  }
  return out;
}
