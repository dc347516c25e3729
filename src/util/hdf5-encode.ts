/**
 * The bytes of an HDF5 file holding a tree of groups and datasets, written directly: no HDF5
 * library is loaded (docs/HDF5.md says why and what is written).
 *
 * The subset is HDF5's original layout, the one every reader takes (libhdf5 1.0 on, h5py by
 * default): superblock version 0, version 1 object headers, groups as symbol tables (a local heap
 * of names, a version 1 B-tree of one leaf node, one symbol table node holding every entry, sorted
 * by name) and datasets stored contiguously. Datasets are little-endian integers (32 or 64 bit,
 * signed) or fixed-length byte strings; neither attributes nor timestamps are written, so the same
 * tree gives the same bytes. Children are laid out in the order they were added.
 */

export type H5Dataset =
  | { kind: "int"; data: Int32Array | BigInt64Array; shape: readonly number[] }
  /** Fixed-length UTF-8 strings of `size` bytes each, null-padded (numpy's `S<size>`). */
  | { kind: "fixed-string"; size: number; data: readonly string[]; shape: readonly number[] };

export interface H5Group {
  kind: "group";
  children: Map<string, H5Group | H5Dataset>;
}

export const h5Group = (): H5Group => ({ kind: "group", children: new Map() });

const UNDEF = 0xffffffffffffffffn;
/** libhdf5's default B-tree rank for groups (superblock field "group internal node K"). */
const INTERNAL_K = 16;
const SUPERBLOCK = 96;
const ENTRY = 40; // a symbol table entry with 8-byte addresses and lengths
const BTREE_NODE = 24 + 2 * INTERNAL_K * 8 + (2 * INTERNAL_K + 1) * 8;
const OHDR_PREFIX = 16;
/** Message types of the object header. */
const DATASPACE = 0x0001;
const DATATYPE = 0x0003;
const LAYOUT = 0x0008;
const SYMBOL_TABLE = 0x0011;

const pad8 = (n: number) => (n + 7) & ~7;
const utf8 = new TextEncoder();

/** Where each object of the tree goes, found before anything is written. */
interface GroupPlan {
  header: number;
  heap: number;
  heapData: number;
  heapSize: number;
  btree: number;
  snod: number;
  /** Children sorted by name (byte order), with their names' offsets in the heap. */
  entries: { name: string; offset: number; child: Plan }[];
}

interface DatasetPlan {
  header: number;
  headerSize: number;
  data: number;
  bytes: number;
  node: H5Dataset;
}

type Plan = { group: GroupPlan } | { dataset: DatasetPlan };

function checkDataset(path: string, d: H5Dataset): number {
  for (const n of d.shape)
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`HDF5: '${path}' has a bad dimension ${n}`);
  const count = d.shape.reduce((a, b) => a * b, 1);
  if (d.data.length !== count)
    throw new RangeError(`HDF5: '${path}' holds ${d.data.length} values for shape (${d.shape.join(", ")})`);
  if (d.kind === "int") return count * d.data.BYTES_PER_ELEMENT;
  if (!Number.isInteger(d.size) || d.size < 1) throw new RangeError(`HDF5: '${path}' has a string size of ${d.size}`);
  for (const s of d.data)
    if (utf8.encode(s).length > d.size) throw new RangeError(`HDF5: '${path}': '${s}' is longer than ${d.size} bytes`);
  return count * d.size;
}

function datatypeSize(d: H5Dataset): number {
  return d.kind === "int" ? 16 : 8; // class, bit field and size (8 bytes), then an integer's offset and precision
}

/** One version 1 object header: its 16-byte prefix and every message (8-byte header, 8-aligned body). */
function headerSize(bodies: number[]): number {
  return OHDR_PREFIX + bodies.reduce((a, b) => a + 8 + b, 0);
}

function datasetBodies(d: H5Dataset): number[] {
  return [8 + 8 * d.shape.length, datatypeSize(d), 24];
}

class Layout {
  end = SUPERBLOCK;
  leafK = 4;
  take(bytes: number): number {
    const at = this.end;
    this.end += pad8(bytes);
    return at;
  }
}

function planGroup(g: H5Group, path: string, out: Layout): GroupPlan {
  const names = [...g.children.keys()];
  for (const n of names) {
    if (!n || n.includes("/") || n.includes("\0") || n === "." || n === "..")
      throw new RangeError(`HDF5: '${path}' has a child named '${n}'`);
  }
  out.leafK = Math.max(out.leafK, Math.ceil(names.length / 2));
  const sorted = names
    .map((name) => ({ name, key: utf8.encode(name) }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  let heapSize = 8; // offset 0: the empty name
  const offsets = sorted.map(({ key }) => {
    const at = heapSize;
    heapSize += pad8(key.length + 1);
    return at;
  });
  const header = out.take(headerSize([16]));
  const heap = out.take(32);
  const heapData = out.take(heapSize);
  const btree = out.take(BTREE_NODE);
  // The symbol node is placed once every group is planned: its size depends on the largest group.
  const plan: GroupPlan = { header, heap, heapData, heapSize, btree, snod: -1, entries: [] };
  plan.entries = sorted.map(({ name }, i) => {
    const child = g.children.get(name)!;
    const p = `${path === "/" ? "" : path}/${name}`;
    return { name, offset: offsets[i]!, child: planChild(child, p, out) };
  });
  return plan;
}

function planChild(node: H5Group | H5Dataset, path: string, out: Layout): Plan {
  if (node.kind === "group") return { group: planGroup(node, path, out) };
  const bytes = checkDataset(path, node);
  const size = headerSize(datasetBodies(node));
  const header = out.take(size);
  return { dataset: { header, headerSize: size, data: bytes ? out.take(bytes) : -1, bytes, node } };
}

/** Symbol nodes go last, once the file's leaf K (half the largest group, at least 4) is known. */
function placeSymbolNodes(p: GroupPlan, out: Layout): void {
  if (p.entries.length) p.snod = out.take(8 + 2 * out.leafK * ENTRY);
  for (const e of p.entries) if ("group" in e.child) placeSymbolNodes(e.child.group, out);
}

class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  /** An address or a length (8 bytes); -1 is the undefined address. */
  u64(at: number, v: number | bigint): void {
    this.view.setBigUint64(at, v === -1 ? UNDEF : BigInt(v), true);
  }
  ascii(at: number, s: string): void {
    this.bytes.set(utf8.encode(s), at);
  }
}

/** A version 1 object header at `at` with the messages given as (type, flags, body size, write body). */
function writeHeader(
  w: Writer,
  at: number,
  msgs: { type: number; flags: number; size: number; body: (at: number) => void }[],
): void {
  w.u8(at, 1); // version
  w.u16(at + 2, msgs.length);
  w.u32(at + 4, 1); // reference count
  w.u32(
    at + 8,
    msgs.reduce((a, m) => a + 8 + m.size, 0),
  );
  let p = at + OHDR_PREFIX;
  for (const m of msgs) {
    w.u16(p, m.type);
    w.u16(p + 2, m.size);
    w.u8(p + 4, m.flags);
    m.body(p + 8);
    p += 8 + m.size;
  }
}

/** A symbol table entry: name offset, object header, and for a group its B-tree and heap (cache type 1). */
function writeEntry(w: Writer, at: number, nameOffset: number, child: Plan): void {
  w.u64(at, nameOffset);
  if ("group" in child) {
    w.u64(at + 8, child.group.header);
    w.u32(at + 16, 1);
    w.u64(at + 24, child.group.btree);
    w.u64(at + 32, child.group.heap);
  } else w.u64(at + 8, child.dataset.header);
}

function writeGroup(w: Writer, g: GroupPlan): void {
  writeHeader(w, g.header, [
    {
      type: SYMBOL_TABLE,
      flags: 0,
      size: 16,
      body: (at) => {
        w.u64(at, g.btree);
        w.u64(at + 8, g.heap);
      },
    },
  ]);
  // Local heap: version 0, data segment size, free list head (1: none, libhdf5's marker), data address.
  w.ascii(g.heap, "HEAP");
  w.u64(g.heap + 8, g.heapSize);
  w.u64(g.heap + 16, 1);
  w.u64(g.heap + 24, g.heapData);
  for (const e of g.entries) w.ascii(g.heapData + e.offset, e.name);
  // B-tree (type 0: group), a leaf with one child; keys: "" and the child's last (largest) name.
  w.ascii(g.btree, "TREE");
  w.u16(g.btree + 6, g.entries.length ? 1 : 0);
  w.u64(g.btree + 8, -1);
  w.u64(g.btree + 16, -1);
  if (g.entries.length) {
    w.u64(g.btree + 24, 0);
    w.u64(g.btree + 32, g.snod);
    w.u64(g.btree + 40, g.entries.at(-1)!.offset);
    w.ascii(g.snod, "SNOD");
    w.u8(g.snod + 4, 1);
    w.u16(g.snod + 6, g.entries.length);
    for (const [i, e] of g.entries.entries()) writeEntry(w, g.snod + 8 + i * ENTRY, e.offset, e.child);
  }
  for (const e of g.entries) {
    if ("group" in e.child) writeGroup(w, e.child.group);
    else writeDataset(w, e.child.dataset);
  }
}

function writeDataset(w: Writer, d: DatasetPlan): void {
  const node = d.node;
  const [space, type, layout] = datasetBodies(node) as [number, number, number];
  writeHeader(w, d.header, [
    {
      type: DATASPACE,
      flags: 0,
      size: space,
      body: (at) => {
        w.u8(at, 1); // version 1: rank 0 is a scalar
        w.u8(at + 1, node.shape.length);
        for (const [i, n] of node.shape.entries()) w.u64(at + 8 + 8 * i, n);
      },
    },
    {
      type: DATATYPE,
      flags: 1, // constant
      size: type,
      body: (at) => {
        if (node.kind === "int") {
          const bytes = node.data.BYTES_PER_ELEMENT;
          w.u8(at, 0x10); // version 1, class 0: fixed point
          w.u8(at + 1, 0x08); // little-endian, zero padding, signed
          w.u32(at + 4, bytes);
          w.u16(at + 10, 8 * bytes); // bit offset 0, precision
        } else {
          w.u8(at, 0x13); // version 1, class 3: string
          w.u8(at + 1, 0x11); // null-padded, UTF-8
          w.u32(at + 4, node.size);
        }
      },
    },
    {
      type: LAYOUT,
      flags: 0,
      size: layout,
      body: (at) => {
        w.u8(at, 3); // version 3
        w.u8(at + 1, 1); // contiguous
        w.u64(at + 2, d.bytes ? d.data : -1);
        w.u64(at + 10, d.bytes);
      },
    },
  ]);
  if (!d.bytes) return;
  if (node.kind === "int") w.bytes.set(new Uint8Array(node.data.buffer, node.data.byteOffset, d.bytes), d.data);
  else for (const [i, s] of node.data.entries()) w.ascii(d.data + i * node.size, s);
}

/** The bytes of the HDF5 file whose root group is `root`. Throws a RangeError on a malformed tree. */
export function hdf5FileBytes(root: H5Group): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new RangeError("HDF5: a big-endian host");
  const out = new Layout();
  const plan = planGroup(root, "/", out);
  placeSymbolNodes(plan, out);
  if (out.leafK > 0xffff) throw new RangeError("HDF5: a group with more than 131,070 children");
  const w = new Writer(out.end);
  // Superblock version 0: 8-byte addresses and lengths, group leaf and internal K, base 0, no free
  // space, end of file, no driver block, then the root group's symbol table entry.
  w.bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  w.u8(13, 8);
  w.u8(14, 8);
  w.u16(16, out.leafK);
  w.u16(18, INTERNAL_K);
  w.u64(24, 0);
  w.u64(32, -1);
  w.u64(40, out.end);
  w.u64(48, -1);
  writeEntry(w, 56, 0, { group: plan });
  writeGroup(w, plan);
  return w.bytes;
}
