/**
 * Version 1 object headers (with their continuation blocks) and the messages of them that
 * describe a group or a dataset, for hdf5-decode.ts. Any other header version, a shared message
 * snnc needs, or a message type outside the list below refuses the file.
 */
import { type FileBytes, refuse, UNDEFINED } from "./hdf5-decode-bytes.ts";

export interface RawMessage {
  type: number;
  /** Where its body starts, and its size. */
  at: number;
  size: number;
  flags: number;
}

export const MSG = {
  dataspace: 0x1,
  datatype: 0x3,
  layout: 0x8,
  filters: 0xb,
  continuation: 0x10,
  symbolTable: 0x11,
} as const;

/** Messages that say nothing a reader of groups and datasets needs: NIL, fill values, attributes, comments, times, B-tree K values, attribute info, reference counts, file space info. */
const IGNORED = new Set([0x0, 0x4, 0x5, 0xc, 0xd, 0xe, 0x12, 0x13, 0x15, 0x16, 0x17]);
const USED = new Set<number>(Object.values(MSG));

/** The messages of the version 1 object header at `addr`, continuation blocks followed. */
export function readObjectHeader(f: FileBytes, addr: number): RawMessage[] {
  if (addr === UNDEFINED) refuse("an object at the undefined address");
  const version = f.u8(addr);
  if (version !== 1) refuse(`object header version ${version} at ${addr}`);
  const count = f.u16(addr + 2);
  const blocks: [number, number][] = [[addr + 16, f.u32(addr + 8)]];
  const seen = new Set<number>([addr + 16]);
  const out: RawMessage[] = [];
  for (let b = 0; b < blocks.length; b++) {
    const [start, size] = blocks[b]!;
    f.check(start, size);
    let p = start;
    while (p + 8 <= start + size) {
      const type = f.u16(p);
      const len = f.u16(p + 2);
      const flags = f.u8(p + 4);
      const at = p + 8;
      if (at + len > start + size) refuse(`a message running past its header block at ${p}`);
      if (out.length >= count) break;
      if (type === MSG.continuation) {
        const next = f.address(at);
        if (seen.has(next)) refuse(`a continuation block read twice at ${next}`);
        seen.add(next);
        blocks.push([next, f.length(at + f.offsetSize)]);
      } else if (!IGNORED.has(type)) {
        if (!USED.has(type)) refuse(`object header message type ${type} at ${p}`);
        if (flags & 0x2) refuse(`a shared message of type ${type} at ${p}`);
      }
      out.push({ type, at, size: len, flags });
      p = at + len;
    }
  }
  return out;
}

/** The dimensions of a dataspace message ([] for a scalar). */
export function readDataspace(f: FileBytes, m: RawMessage): number[] {
  const version = f.u8(m.at);
  const rank = f.u8(m.at + 1);
  let dims: number;
  if (version === 1) dims = m.at + 8;
  else if (version === 2) {
    const kind = f.u8(m.at + 3);
    if (kind === 2) refuse("a null dataspace");
    if (kind === 0 && rank !== 0) refuse("a scalar dataspace with dimensions");
    dims = m.at + 4;
  } else return refuse(`dataspace message version ${version}`);
  if (rank > 32) refuse(`a dataspace of rank ${rank}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(f.length(dims + i * f.lengthSize));
  return shape;
}

export type Datatype =
  | { kind: "int"; size: number; signed: boolean; little: boolean }
  | { kind: "float"; size: number; little: boolean }
  | { kind: "string"; size: number; utf8: boolean }
  | { kind: "vlen-string"; utf8: boolean };

const FLOAT_LAYOUT: Record<number, number[]> = {
  // precision, exponent location, exponent size, mantissa location, mantissa size, bias
  4: [32, 23, 8, 0, 23, 127],
  8: [64, 52, 11, 0, 52, 1023],
};

/** A datatype message of the classes snnc reads: integers, IEEE floats, strings, variable-length strings. */
export function readDatatype(f: FileBytes, at: number): Datatype {
  const head = f.u8(at);
  const cls = head & 0x0f;
  const bits = f.u8(at + 1) | (f.u8(at + 2) << 8) | (f.u8(at + 3) << 16);
  const size = f.u32(at + 4);
  const little = (bits & 1) === 0;
  if (cls === 0) {
    if (![1, 2, 4, 8].includes(size)) refuse(`an integer type of ${size} bytes`);
    if (f.u16(at + 8) !== 0 || f.u16(at + 10) !== 8 * size) refuse("an integer type with padding bits");
    return { kind: "int", size, signed: (bits & 0x8) !== 0, little };
  }
  if (cls === 1) {
    const want = FLOAT_LAYOUT[size];
    if (!want || bits & 0x40) refuse(`a float type of ${size} bytes`);
    const got = [f.u16(at + 10), f.u8(at + 12), f.u8(at + 13), f.u8(at + 14), f.u8(at + 15), f.u32(at + 16)];
    const sign = (bits >> 8) & 0xff;
    const norm = (bits >> 4) & 0x3;
    if (f.u16(at + 8) !== 0 || sign !== 8 * size - 1 || norm !== 2 || got.some((v, i) => v !== want![i]))
      refuse("a float type that is not IEEE 754");
    return { kind: "float", size, little };
  }
  const cset = cls === 3 ? (bits >> 4) & 0xf : (bits >> 8) & 0xf;
  if (cset > 1) refuse(`character set ${cset}`);
  if (cls === 3) return { kind: "string", size, utf8: cset === 1 };
  if (cls === 9 && (bits & 0xf) === 1) return { kind: "vlen-string", utf8: cset === 1 };
  return refuse(`datatype class ${cls}`);
}

/** h5wasm's name of a type (its `dtype`), so that messages read the same whichever reader read the file. */
export function dtypeName(t: Datatype): string {
  if (t.kind === "string") return `${t.utf8 ? "S" : "A"}${t.size}`;
  if (t.kind === "vlen-string") return t.utf8 ? "S" : "A";
  const code = t.kind === "float" ? { 4: "f", 8: "d" }[t.size]! : { 1: "b", 2: "h", 4: "i", 8: "q" }[t.size]!;
  return (t.little ? "<" : ">") + (t.kind === "int" && !t.signed ? code.toUpperCase() : code);
}

/** The bytes one element takes in the dataset's storage. */
export const elementSize = (t: Datatype, f: FileBytes): number =>
  t.kind === "vlen-string" ? 4 + f.offsetSize + 4 : t.size;
