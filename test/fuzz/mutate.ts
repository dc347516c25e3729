/**
 * A seeded mutator for the fuzz suite: edits JSON documents (model.json, .snnc.json, JSON inputs)
 * where they mean something, and bytes of binary files (weight shards, .npy, ONNX, NIR) where
 * they break something: boundary numbers, wrong types, deletions, truncation, flipped bits,
 * headers that claim other sizes. Everything is drawn from one PRNG, so a case is reproduced by
 * its seed.
 */
import { mulberry32 } from "../../src/util/prng.ts";

export class Rng {
  private next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** An index drawn with the given weights. */
  weighted(weights: readonly number[]): number {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Numbers at the edges of what readers, limits and typed arrays accept. */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  2,
  3,
  0.5,
  -0.5,
  1.5,
  7,
  1e-7,
  1e-300,
  5e-324,
  -1e-300,
  16,
  255,
  256,
  1000,
  1001,
  1023,
  1024,
  1025,
  4096,
  65535,
  65536,
  100_000,
  2 ** 20,
  2 ** 20 + 1,
  2 ** 24,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e9,
  -1e9,
  3.4e38,
  -3.4e38,
  1e39,
  1e308,
  -1e308,
  1.7976931348623157e308,
];

const EDGE_STRINGS: readonly string[] = [
  "",
  "x",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e308",
  "same",
  "valid",
  "causal",
  "hard",
  "soft",
  "channel",
  "element",
  "direct",
  "spikes",
  "float16",
  "uint8",
  "int32",
  "bool",
  "complex64",
  "channels_first",
  "relu",
  "Dense",
  "Conv2D",
  "LIF",
  "MultiThresholdLIF",
  "Readout",
  "Flatten",
  "InputLayer",
  "../../../etc/passwd",
  "http://example.com/w.bin",
  "snnc-graph",
  "layers-model",
  "graph-model",
];

// biome-ignore lint/suspicious/noExplicitAny: the mutator walks and rewrites arbitrary JSON
type Json = any;

function paths(j: Json, prefix: (string | number)[], out: (string | number)[][]): void {
  out.push(prefix);
  if (Array.isArray(j)) {
    // Long arrays (tensor data) are sampled, not all listed: the structure around them matters more.
    const n = j.length;
    const idx = n <= 8 ? [...j.keys()] : [0, 1, n - 1, n >> 1];
    for (const i of idx) paths(j[i], [...prefix, i], out);
  } else if (j !== null && typeof j === "object") {
    for (const k of Object.keys(j)) paths(j[k], [...prefix, k], out);
  }
}

function edgeValue(rng: Rng, old: Json, doc: Json): Json {
  switch (rng.weighted([8, 3, 2, 2, 2, 1, 1])) {
    case 0:
      return rng.pick(EDGE_NUMBERS);
    case 1:
      if (typeof old === "number") {
        const f = rng.pick([
          (x: number) => x + 1,
          (x: number) => x - 1,
          (x: number) => x * 2,
          (x: number) => x * 1e6,
          (x: number) => -x,
          (x: number) => x / 3,
        ]);
        return f(old);
      }
      return rng.pick(EDGE_NUMBERS);
    case 2:
      return rng.pick(EDGE_STRINGS);
    case 3: {
      const n = rng.pick([0, 1, 2, 3, 4]);
      return Array.from({ length: n }, () => rng.pick(EDGE_NUMBERS));
    }
    case 4:
      return rng.pick([null, true, false, {}, [], [[]], [null], { a: 1 }]);
    case 5: {
      // A value from elsewhere in the same document (a string, a shape, a sub-tree).
      const all: (string | number)[][] = [];
      paths(doc, [], all);
      return structuredClone(get(doc, rng.pick(all)));
    }
    default:
      return Array.isArray(old) ? [...old, ...old] : [old, old];
  }
}

function get(j: Json, path: (string | number)[]): Json {
  let o = j;
  for (const k of path) o = o?.[k];
  return o;
}

/** Keys whose values are sizes, counts, exponents or other numbers a reader must bound. */
const SIZE_KEY =
  /shape|size|stride|dilation|units|filters|timesteps|pad|pool|axis|groups|index|deltas|tau|threshold|epsilon|alpha|lambda|decay|min|scale|target|steps|dims/i;

/** Where to edit: numbers (above all sizes and counts) far more often than structure. */
function pathWeight(doc: Json, path: (string | number)[]): number {
  const v = get(doc, path);
  const sizeKey = path.some((k) => typeof k === "string" && SIZE_KEY.test(k));
  if (typeof v === "number") return sizeKey ? 12 : 3;
  if (Array.isArray(v) && v.length <= 4 && v.every((x) => typeof x === "number" || x === null)) return sizeKey ? 8 : 2;
  if (typeof v === "string") return 2;
  return 1;
}

/** One structural edit at a random place: replace, delete, duplicate or reorder. */
function mutateOnce(doc: Json, rng: Rng): Json {
  const all: (string | number)[][] = [];
  paths(doc, [], all);
  const candidates = all.slice(1);
  const path = candidates.length ? candidates[rng.weighted(candidates.map((p) => pathWeight(doc, p)))]! : [];
  if (path.length === 0) return edgeValue(rng, doc, doc);
  const parent = get(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  const op = rng.weighted([10, 3, 1, 1]);
  if (op === 0) parent[key] = edgeValue(rng, parent[key], doc);
  else if (op === 1) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (op === 2 && Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
  else if (Array.isArray(parent) && parent.length > 1) {
    const other = rng.int(parent.length);
    [parent[key as number], parent[other]] = [parent[other], parent[key as number]];
  } else parent[key] = edgeValue(rng, parent[key], doc);
  return doc;
}

/** A mutated JSON text: 1–3 structural edits, or (rarely) damage to the text itself. */
export function mutateJsonText(text: string, rng: Rng): { text: string; what: string } {
  if (rng.chance(0.1)) {
    const bytes = mutateBytes(Buffer.from(text, "utf8"), rng);
    return { text: bytes.data.toString("utf8"), what: `text: ${bytes.what}` };
  }
  let doc: Json = JSON.parse(text);
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) doc = mutateOnce(doc, rng);
  return { text: JSON.stringify(doc), what: `${n} JSON edit${n > 1 ? "s" : ""}` };
}

const EDGE_F32 = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -0, 0, 1e30, 65504];

/** Damage to a binary file: truncation, bit flips, edge bytes and floats, chunks added or removed. */
export function mutateBytes(data: Buffer, rng: Rng): { data: Buffer; what: string } {
  const b = Buffer.from(data);
  const n = b.length;
  switch (rng.weighted([3, 3, 2, 2, 1, 1, 1])) {
    case 0: {
      const at = rng.int(n + 1);
      return { data: b.subarray(0, at), what: `truncated to ${at} of ${n} bytes` };
    }
    case 1: {
      const k = 1 + rng.int(8);
      for (let i = 0; i < k && n > 0; i++) b[rng.int(n)]! ^= 1 << rng.int(8);
      return { data: b, what: `${k} bit flips` };
    }
    case 2: {
      const k = 1 + rng.int(4);
      for (let i = 0; i < k && n > 0; i++) b[rng.int(n)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe]);
      return { data: b, what: `${k} edge bytes` };
    }
    case 3: {
      const k = 1 + rng.int(4);
      for (let i = 0; i < k && n >= 4; i++) b.writeFloatLE(rng.pick(EDGE_F32), 4 * rng.int(n >> 2));
      return { data: b, what: `${k} edge float32 values` };
    }
    case 4: {
      const at = rng.int(n + 1);
      const len = 1 + rng.int(64);
      const chunk = Buffer.from(Array.from({ length: len }, () => rng.int(256)));
      return {
        data: Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]),
        what: `${len} bytes inserted at ${at}`,
      };
    }
    case 5: {
      const at = rng.int(n + 1);
      const len = 1 + rng.int(64);
      return { data: Buffer.concat([b.subarray(0, at), b.subarray(at + len)]), what: `${len} bytes removed at ${at}` };
    }
    default:
      return { data: Buffer.alloc(0), what: "emptied" };
  }
}

/** A .npy whose header is rewritten (shape, dtype, order) or whose bytes are damaged. */
export function mutateNpy(data: Buffer, rng: Rng): { data: Buffer; what: string } {
  const headerLen = data.length >= 10 ? data.readUInt16LE(8) : 0;
  const header = data.subarray(10, 10 + headerLen).toString("latin1");
  const body = data.subarray(10 + headerLen);
  if (!header.includes("shape") || rng.chance(0.4)) return mutateBytes(data, rng);
  let h = header.trim();
  let what: string;
  const which = rng.int(4);
  if (which === 0) {
    const shape = /'shape': \(([^)]*)\)/.exec(h)?.[1] ?? "";
    const dims = shape
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    const i = rng.int(dims.length + 1);
    if (i === dims.length) dims.unshift(rng.pick([0, 1, 2, 1e9]));
    else dims[i] = rng.pick([0, 1, 2, 3, 1e9, 2 ** 31, 2 ** 53, dims[i]! * 2]);
    h = h.replace(/'shape': \([^)]*\)/, `'shape': (${dims.join(", ")}${dims.length === 1 ? "," : ""})`);
    what = `header shape (${dims.join(", ")})`;
  } else if (which === 1) {
    const d = rng.pick(["<f2", "<i4", "|u1", ">f8", ">f4", "<c8", "|b1", "<U8", "O", "<f16"]);
    h = h.replace(/'descr': '[^']*'/, `'descr': '${d}'`);
    what = `header dtype ${d}`;
  } else if (which === 2) {
    h = h.replace("False", "True");
    what = "header fortran_order True";
  } else {
    h = h.slice(0, rng.int(h.length));
    what = "header cut";
  }
  h += " ".repeat((64 - ((10 + h.length + 1) % 64)) % 64);
  h += "\n";
  const head = Buffer.from(data.subarray(0, 10));
  head.writeUInt16LE(h.length, 8);
  return { data: Buffer.concat([head, Buffer.from(h, "latin1"), body]), what };
}
