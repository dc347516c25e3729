/**
 * snnc's own HDF5 reader, for the layout h5py writes by default (the one hdf5-encode.ts writes
 * too): superblock version 0 or 1, version 1 object headers, groups as symbol tables (B-trees of
 * any depth, symbol nodes, a local heap of names), datasets of integers, IEEE floats, fixed- and
 * variable-length strings (global heap), compact, contiguous or chunked (deflate, shuffle).
 *
 * It gives the tree libhdf5 gives through h5wasm (hdf5-read.ts: names sorted, numbers as float64,
 * h5wasm's type names), and refuses (`Hdf5Unsupported`) every file it cannot read exactly, so
 * that its caller reads that one with libhdf5: later superblocks and object headers, link
 * messages, soft links, other types and filters, fill values, integers past 2^53, text that is
 * not UTF-8, cycles and anything out of bounds. docs/HDF5.md lists what it reads.
 */
import {
  type Datatype,
  dtypeName,
  elementSize,
  MSG,
  readDatatype,
  readDataspace,
  readObjectHeader,
} from "./hdf5-decode-header.ts";
import { pad8 } from "./hdf5-bytes.ts";
import { FileBytes, refuse, UNDEFINED, utf8Text } from "./hdf5-decode-bytes.ts";
import { readStorage } from "./hdf5-decode-storage.ts";
import { childPath, type H5Dataset, type H5Group } from "./hdf5-tree.ts";

export { Hdf5Unsupported } from "./hdf5-decode-bytes.ts";

/** The groups and datasets of an HDF5 file held in `bytes`. */
export function decodeHdf5(bytes: Uint8Array): H5Group {
  const f = new FileBytes(bytes);
  const sb = hdf5SuperblockAt(bytes) ?? refuse("no HDF5 signature");
  const version = f.u8(sb + 8);
  if (version > 1) refuse(`superblock version ${version}`);
  f.offsetSize = f.u8(sb + 13);
  f.lengthSize = f.u8(sb + 14);
  if (![2, 4, 8].includes(f.offsetSize) || ![2, 4, 8].includes(f.lengthSize)) refuse("unusual address sizes");
  const p = sb + (version === 0 ? 24 : 28);
  f.base = f.uint(p, f.offsetSize);
  if (f.base === UNDEFINED) refuse("an undefined base address");
  if (f.address(p + 3 * f.offsetSize) !== UNDEFINED) refuse("a driver information block");
  const root = f.address(p + 4 * f.offsetSize + f.offsetSize);
  try {
    return new Decoder(f).group(root, "/", new Set());
  } catch (e) {
    if (e instanceof RangeError) refuse(`groups nested too deeply (${e.message})`);
    throw e;
  }
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where HDF5's superblock is in `bytes`: at 0, or after a user block of 512, 1024, 2048, … bytes. */
export function hdf5SuperblockAt(bytes: Uint8Array): number | undefined {
  for (let at = 0; at + 8 <= bytes.length; at = Math.max(512, 2 * at))
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return at;
  return undefined;
}

/** Objects read at most (a group linked twice is read twice, as libhdf5's walk does). */
const MAX_OBJECTS = 1 << 20;

class Decoder {
  private readonly heaps = new Map<number, Map<number, Uint8Array>>();
  private objects = 0;
  constructor(private readonly f: FileBytes) {}

  group(addr: number, path: string, ancestors: Set<number>): H5Group {
    if (ancestors.has(addr)) refuse(`group ${path} contains itself`);
    const msgs = readObjectHeader(this.f, addr);
    const table = msgs.find((m) => m.type === MSG.symbolTable);
    if (!table) return refuse(`${path} is not a group of the old style`);
    const f = this.f;
    const names = localHeap(f, f.address(table.at + f.offsetSize));
    const entries: [string, number][] = [];
    walkGroupTree(f, f.address(table.at), -1, new Set(), (snod) => {
      f.signature(snod, "SNOD");
      if (f.u8(snod + 4) !== 1) refuse(`symbol node version ${f.u8(snod + 4)}`);
      const entrySize = 2 * f.offsetSize + 24;
      for (let i = 0, n = f.u16(snod + 6); i < n; i++) {
        const e = snod + 8 + i * entrySize;
        if (f.u32(e + 2 * f.offsetSize) === 2) refuse(`a soft link in ${path}`);
        entries.push([names(f.length(e)), f.address(e + f.offsetSize)]);
      }
    });
    const children = new Map<string, H5Group | H5Dataset>();
    ancestors.add(addr);
    for (const [name, child] of entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (children.has(name)) refuse(`${name} twice in ${path}`);
      children.set(name, this.object(child, childPath(path, name), ancestors));
    }
    ancestors.delete(addr);
    return { kind: "group", path, children };
  }

  private object(addr: number, path: string, ancestors: Set<number>): H5Group | H5Dataset {
    if (++this.objects > MAX_OBJECTS) refuse(`more than ${MAX_OBJECTS} objects`);
    const msgs = readObjectHeader(this.f, addr);
    if (msgs.some((m) => m.type === MSG.symbolTable)) return this.group(addr, path, ancestors);
    const space = msgs.find((m) => m.type === MSG.dataspace);
    const type = msgs.find((m) => m.type === MSG.datatype);
    if (!space || !type) return refuse(`${path} is neither a group nor a dataset`);
    const shape = readDataspace(this.f, space);
    const t = readDatatype(this.f, type.at);
    const data = readStorage(this.f, msgs, shape, elementSize(t, this.f));
    const count = shape.reduce((a, b) => a * b, 1);
    const ds: H5Dataset = { kind: "dataset", path, dtype: dtypeName(t), shape };
    if (t.kind === "int" || t.kind === "float") ds.numbers = numbers(data, t, count);
    else ds.strings = this.strings(data, t, count);
    return ds;
  }

  private strings(data: Uint8Array, t: Datatype, count: number): string[] {
    const out: string[] = [];
    const f = this.f;
    const ids = new FileBytes(data);
    ids.offsetSize = f.offsetSize;
    ids.base = f.base;
    for (let i = 0; i < count; i++) {
      let b: Uint8Array;
      if (t.kind === "string") b = data.subarray(i * t.size, (i + 1) * t.size);
      else {
        const at = i * elementSize(t, f);
        const len = ids.u32(at);
        b = len === 0 ? new Uint8Array(0) : this.heapObject(ids.address(at + 4), ids.u32(at + 4 + f.offsetSize));
        if (b.length < len) refuse(`a string of ${len} bytes in a heap object of ${b.length}`);
        b = b.subarray(0, len);
      }
      const nul = b.indexOf(0);
      if (nul >= 0) b = b.subarray(0, nul);
      out.push(textOf(b, t));
    }
    return out;
  }

  /** Object `index` of the global heap collection at `addr`. */
  private heapObject(addr: number, index: number): Uint8Array {
    let coll = this.heaps.get(addr);
    if (!coll) {
      coll = globalHeap(this.f, addr);
      this.heaps.set(addr, coll);
    }
    return coll.get(index) ?? refuse(`global heap object ${index} missing at ${addr}`);
  }
}

const fixedUtf8 = new TextDecoder("utf-8");
const fixedAscii = new TextDecoder("ascii");

/**
 * A string's bytes as h5wasm gives them: fixed-length strings through the TextDecoder it uses
 * (UTF-8 with replacement characters, or the "ascii" label, whatever Node.js maps it to),
 * variable-length ones as its Emscripten runtime reads them (UTF8ToString: text that is not UTF-8
 * is refused; AsciiToString: a character per byte).
 */
function textOf(b: Uint8Array, t: Datatype): string {
  if (t.kind === "string") return (t.utf8 ? fixedUtf8 : fixedAscii).decode(b);
  if (t.kind === "vlen-string" && t.utf8) return utf8Text(b);
  let s = "";
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

function numbers(data: Uint8Array, t: Datatype & { kind: "int" | "float" }, count: number): Float64Array {
  const out = new Float64Array(count);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = t.little;
  const s = t.size;
  if (t.kind === "float") {
    for (let i = 0; i < count; i++) out[i] = s === 4 ? v.getFloat32(i * 4, le) : v.getFloat64(i * 8, le);
    return out;
  }
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < count; i++) {
    const at = i * s;
    if (s === 8) {
      const x = t.signed ? v.getBigInt64(at, le) : v.getBigUint64(at, le);
      if (x > max || x < -max) refuse("an integer past 2^53");
      out[i] = Number(x);
    } else if (s === 4) out[i] = t.signed ? v.getInt32(at, le) : v.getUint32(at, le);
    else if (s === 2) out[i] = t.signed ? v.getInt16(at, le) : v.getUint16(at, le);
    else out[i] = t.signed ? v.getInt8(at) : v.getUint8(at);
  }
  return out;
}

/** Every symbol node under the group B-tree node at `addr` (node type 0), in key order. */
function walkGroupTree(f: FileBytes, addr: number, level: number, seen: Set<number>, on: (snod: number) => void): void {
  if (seen.has(addr)) refuse(`B-tree node ${addr} reached twice`);
  seen.add(addr);
  f.signature(addr, "TREE");
  if (f.u8(addr + 4) !== 0) refuse(`B-tree node of type ${f.u8(addr + 4)} in a group`);
  const nodeLevel = f.u8(addr + 5);
  if (level >= 0 && nodeLevel !== level) refuse(`B-tree node at level ${nodeLevel} under level ${level + 1}`);
  let p = addr + 8 + 2 * f.offsetSize + f.lengthSize;
  for (let i = 0, n = f.u16(addr + 6); i < n; i++) {
    const child = f.address(p);
    if (nodeLevel === 0) on(child);
    else walkGroupTree(f, child, nodeLevel - 1, seen, on);
    p += f.offsetSize + f.lengthSize;
  }
}

/** A group's local heap: the name at an offset of its data segment. */
function localHeap(f: FileBytes, addr: number): (offset: number) => string {
  f.signature(addr, "HEAP");
  if (f.u8(addr + 4) !== 0) refuse(`local heap version ${f.u8(addr + 4)}`);
  const size = f.length(addr + 8);
  const data = f.address(addr + 8 + 2 * f.lengthSize);
  f.check(data, size);
  return (offset) => {
    if (offset >= size) refuse(`a name at ${offset} past its heap's ${size} bytes`);
    return utf8Text(f.cString(data + offset, size - offset));
  };
}

/** The objects of the global heap collection at `addr`, by index. */
function globalHeap(f: FileBytes, addr: number): Map<number, Uint8Array> {
  f.signature(addr, "GCOL");
  if (f.u8(addr + 4) !== 1) refuse(`global heap version ${f.u8(addr + 4)}`);
  const size = f.length(addr + 8);
  f.check(addr, size);
  const end = addr + size;
  const out = new Map<number, Uint8Array>();
  const head = pad8(8 + f.lengthSize); // the collection's header and each object's
  let p = addr + head;
  while (p + head <= end) {
    const index = f.u16(p);
    const len = f.length(p + 8);
    if (index === 0) break;
    const at = p + head;
    if (at + len > end) refuse(`a global heap object running past its collection at ${p}`);
    out.set(index, f.bytes.subarray(at, at + len));
    p = at + pad8(len);
  }
  return out;
}
