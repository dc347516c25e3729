/**
 * A dataset's stored bytes, in row-major element order, for hdf5-decode.ts: from a version 3
 * layout message (compact, contiguous, or chunked with a version 1 B-tree of chunks), through the
 * deflate and shuffle filters. Chunks that are missing (fill values), other filters, other layout
 * versions and storage past 1 GiB refuse the file.
 */
import { inflateSync } from "node:zlib";
import { pad8 } from "./hdf5-bytes.ts";
import { type RawMessage, MSG } from "./hdf5-decode-header.ts";
import { type FileBytes, refuse, UNDEFINED } from "./hdf5-decode-bytes.ts";

const MAX_BYTES = 2 ** 30;
const DEFLATE = 1;
const SHUFFLE = 2;

interface Filter {
  id: number;
  optional: boolean;
}

function readFilters(f: FileBytes, m: RawMessage | undefined): Filter[] {
  if (!m) return [];
  const version = f.u8(m.at);
  const n = f.u8(m.at + 1);
  let p = m.at + (version === 1 ? 8 : 2);
  if (version !== 1 && version !== 2) refuse(`filter pipeline message version ${version}`);
  const out: Filter[] = [];
  for (let i = 0; i < n; i++) {
    const id = f.u16(p);
    const named = version === 1 || id >= 256;
    const nameLen = named ? f.u16(p + 2) : 0;
    p += named ? 4 : 2;
    const flags = f.u16(p);
    const values = f.u16(p + 2);
    p += 4 + (version === 1 ? pad8(nameLen) : nameLen) + 4 * values;
    if (version === 1 && values % 2 === 1) p += 4;
    if (id !== DEFLATE && id !== SHUFFLE) refuse(`filter ${id}`);
    out.push({ id, optional: (flags & 1) !== 0 });
  }
  return out;
}

/** The stored bytes of a dataset of `shape` whose elements take `esize` bytes each. */
export function readStorage(f: FileBytes, msgs: RawMessage[], shape: number[], esize: number): Uint8Array {
  const layout = msgs.find((m) => m.type === MSG.layout);
  if (!layout) return refuse("a dataset without a layout message");
  const count = shape.reduce((a, b) => a * b, 1);
  const total = count * esize;
  if (total > MAX_BYTES) refuse(`a dataset of ${total} bytes`);
  const version = f.u8(layout.at);
  if (version !== 3) refuse(`layout message version ${version}`);
  const cls = f.u8(layout.at + 1);
  if (cls === 0) {
    const size = f.u16(layout.at + 2);
    if (size !== total) refuse(`compact data of ${size} bytes for ${total}`);
    f.check(layout.at + 4, size);
    return f.bytes.subarray(layout.at + 4, layout.at + 4 + size);
  }
  if (cls === 1) {
    const addr = f.address(layout.at + 2);
    const size = f.length(layout.at + 2 + f.offsetSize);
    if (total === 0) return new Uint8Array(0);
    if (addr === UNDEFINED) refuse("a dataset never written (fill values)");
    if (size !== total) refuse(`contiguous data of ${size} bytes for ${total}`);
    f.check(addr, size);
    return f.bytes.subarray(addr, addr + size);
  }
  if (cls !== 2) refuse(`layout class ${cls}`);
  const rank = f.u8(layout.at + 2) - 1;
  if (rank !== shape.length) refuse(`chunks of rank ${rank} for a dataset of rank ${shape.length}`);
  const root = f.address(layout.at + 3);
  const dims: number[] = [];
  for (let i = 0; i <= rank; i++) dims.push(f.u32(layout.at + 3 + f.offsetSize + 4 * i));
  if (dims[rank] !== esize || dims.some((d) => d === 0)) refuse("chunk dimensions that do not fit the dataset");
  const out = new Uint8Array(total);
  if (total === 0) return out;
  if (root === UNDEFINED) refuse("a chunked dataset with no chunks (fill values)");
  const filters = readFilters(
    f,
    msgs.find((m) => m.type === MSG.filters),
  );
  const chunk = { dims: dims.slice(0, rank), bytes: dims.slice(0, rank).reduce((a, b) => a * b, esize) };
  let filled = 0;
  const seen = new Set<string>();
  walkChunks(f, root, rank, -1, new Set(), (addr, size, mask, offsets) => {
    const key = offsets.join(",");
    if (seen.has(key)) refuse(`chunk ${key} twice`);
    seen.add(key);
    const data = unfilter(f, addr, size, mask, filters, esize);
    if (data.length !== chunk.bytes) refuse(`a chunk of ${data.length} bytes for ${chunk.bytes}`);
    filled += place(out, data, shape, chunk.dims, offsets, esize);
  });
  if (filled !== count) refuse(`chunks covering ${filled} of ${count} elements (fill values)`);
  return out;
}

type OnChunk = (addr: number, size: number, mask: number, offsets: number[]) => void;

/** Every chunk under the B-tree node at `addr` (node type 1), in key order. */
function walkChunks(f: FileBytes, addr: number, rank: number, level: number, seen: Set<number>, on: OnChunk): void {
  if (seen.has(addr)) refuse(`B-tree node ${addr} reached twice`);
  seen.add(addr);
  f.signature(addr, "TREE");
  if (f.u8(addr + 4) !== 1) refuse(`B-tree node of type ${f.u8(addr + 4)} for chunks`);
  const nodeLevel = f.u8(addr + 5);
  if (level >= 0 && nodeLevel !== level) refuse(`B-tree node at level ${nodeLevel} under level ${level + 1}`);
  const entries = f.u16(addr + 6);
  const keySize = 8 + 8 * (rank + 1);
  let p = addr + 8 + 2 * f.offsetSize;
  for (let i = 0; i < entries; i++) {
    const size = f.u32(p);
    const mask = f.u32(p + 4);
    const offsets: number[] = [];
    for (let d = 0; d < rank; d++) offsets.push(f.uint(p + 8 + 8 * d, 8));
    const child = f.address(p + keySize);
    if (nodeLevel === 0) on(child, size, mask, offsets);
    else walkChunks(f, child, rank, nodeLevel - 1, seen, on);
    p += keySize + f.offsetSize;
  }
}

/** A chunk's bytes with its filters undone (in reverse order, skipping those its mask leaves out). */
function unfilter(
  f: FileBytes,
  addr: number,
  size: number,
  mask: number,
  filters: Filter[],
  esize: number,
): Uint8Array {
  f.check(addr, size);
  let data = f.bytes.subarray(addr, addr + size);
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) {
      if (!filters[i]!.optional) refuse("a chunk that skipped a required filter");
      continue;
    }
    if (filters[i]!.id === DEFLATE) {
      try {
        data = inflateSync(data, { maxOutputLength: MAX_BYTES });
      } catch {
        refuse(`a chunk at ${addr} that does not inflate`);
      }
    } else data = unshuffle(data, esize);
  }
  return data;
}

/** The shuffle filter undone: byte b of element i was stored at b × n + i. */
function unshuffle(data: Uint8Array, esize: number): Uint8Array {
  const n = Math.floor(data.length / esize);
  if (esize <= 1 || n <= 1) return data;
  const out = new Uint8Array(data.length);
  for (let b = 0; b < esize; b++) for (let i = 0; i < n; i++) out[i * esize + b] = data[b * n + i]!;
  out.set(data.subarray(n * esize), n * esize);
  return out;
}

/** Copies the part of a chunk inside the dataset to its place; returns how many elements it wrote. */
function place(
  out: Uint8Array,
  data: Uint8Array,
  shape: number[],
  cdims: number[],
  off: number[],
  esize: number,
): number {
  const rank = shape.length;
  if (off.some((o, d) => o % cdims[d]! !== 0 || o >= shape[d]!)) refuse(`a chunk at [${off}] off the chunk grid`);
  if (rank === 0) {
    out.set(data.subarray(0, esize));
    return 1;
  }
  const extent = cdims.map((c, d) => Math.min(c, shape[d]! - off[d]!));
  const row = extent[rank - 1]! * esize;
  let written = 0;
  const idx = new Array<number>(rank - 1).fill(0);
  for (;;) {
    let src = 0;
    let dst = 0;
    for (let d = 0; d < rank - 1; d++) {
      src = (src + idx[d]!) * cdims[d + 1]!;
      dst = (dst + off[d]! + idx[d]!) * shape[d + 1]!;
    }
    dst += off[rank - 1]!;
    out.set(data.subarray(src * esize, src * esize + row), dst * esize);
    written += extent[rank - 1]!;
    let d = rank - 2;
    while (d >= 0 && ++idx[d]! === extent[d]!) idx[d--] = 0;
    if (d < 0) return written;
  }
}
