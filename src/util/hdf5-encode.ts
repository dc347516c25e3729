/**
 * The bytes of an HDF5 file holding a tree of groups and datasets, written directly: no HDF5
 * library is loaded (docs/HDF5.md says why and what is written).
 *
 * The subset is HDF5's original layout, the one every reader takes (libhdf5 1.0 on; h5py writes it
 * by default): superblock version 0, version 1 object headers, groups as symbol tables (a local heap
 * of names, a version 1 B-tree of one leaf node, one symbol table node holding every entry, sorted
 * by name), datasets stored contiguously (hdf5-dataset.ts), variable-length strings in the global
 * heap (hdf5-global-heap.ts). Neither attributes nor timestamps are written, so the same tree gives
 * the same bytes. Objects are laid out in the order of the tree as it was built.
 */
import { ByteWriter, headerSize, type Message, pad8, Space, utf8Bytes, writeHeader } from "./hdf5-bytes.ts";
import { datasetBytes, datasetMessages, type H5Dataset, heapObjects, writeData } from "./hdf5-dataset.ts";
import { GlobalHeap, type HeapObject } from "./hdf5-global-heap.ts";

export type { H5Dataset } from "./hdf5-dataset.ts";

export interface H5Group {
  kind: "group";
  children: Map<string, H5Group | H5Dataset>;
}

export const h5Group = (): H5Group => ({ kind: "group", children: new Map() });

/** libhdf5's default B-tree rank for groups (superblock field "group internal node K"). */
const INTERNAL_K = 16;
/** libhdf5's default group leaf K: a symbol table node holds 2K entries. */
const LEAF_K = 4;
const SUPERBLOCK = 96;
const ENTRY = 40; // a symbol table entry with 8-byte addresses and lengths
const BTREE_NODE = 24 + 2 * INTERNAL_K * 8 + (2 * INTERNAL_K + 1) * 8;
const SYMBOL_TABLE = 0x0011;

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
  messages: Message[];
  data: number;
  node: H5Dataset;
  objects: HeapObject[];
}

type Plan = { group: GroupPlan } | { dataset: DatasetPlan };

interface Planning {
  space: Space;
  heap: GlobalHeap;
  leafK: number;
}

const byteOrder = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);

function planGroup(g: H5Group, path: string, p: Planning): GroupPlan {
  const names = [...g.children.keys()];
  for (const n of names) {
    if (!n || n.includes("/") || n.includes("\0") || n === "." || n === "..")
      throw new RangeError(`HDF5: '${path}' has a child named '${n}'`);
  }
  p.leafK = Math.max(p.leafK, Math.ceil(names.length / 2));
  const sorted = names.map((name) => ({ name, key: utf8Bytes(name) })).sort((a, b) => byteOrder(a.key, b.key));
  let heapSize = 8; // offset 0: the empty name
  const offsets = sorted.map(({ key }) => {
    const at = heapSize;
    heapSize += pad8(key.length + 1);
    return at;
  });
  const header = p.space.take(headerSize([{ size: 16 }]));
  const heap = p.space.take(32);
  const heapData = p.space.take(heapSize);
  const btree = p.space.take(BTREE_NODE);
  // The symbol node is placed once every group is planned: its size depends on the largest group.
  const plan: GroupPlan = { header, heap, heapData, heapSize, btree, snod: -1, entries: [] };
  plan.entries = sorted.map(({ name }, i) => {
    const child = g.children.get(name)!;
    const at = `${path === "/" ? "" : path}/${name}`;
    return { name, offset: offsets[i]!, child: planChild(child, at, p) };
  });
  return plan;
}

function planChild(node: H5Group | H5Dataset, path: string, p: Planning): Plan {
  if (node.kind === "group") return { group: planGroup(node, path, p) };
  const bytes = datasetBytes(path, node);
  const sizeOnly = datasetMessages(node, -1, bytes);
  const header = p.space.take(headerSize(sizeOnly));
  const data = bytes ? p.space.take(bytes) : -1;
  const messages = datasetMessages(node, data, bytes);
  return { dataset: { header, messages, data, node, objects: heapObjects(node, p.heap) } };
}

/** Symbol nodes go last, once the file's leaf K (half the largest group, at least 4) is known. */
function placeSymbolNodes(g: GroupPlan, p: Planning): void {
  if (g.entries.length) g.snod = p.space.take(8 + 2 * p.leafK * ENTRY);
  for (const e of g.entries) if ("group" in e.child) placeSymbolNodes(e.child.group, p);
}

/** A symbol table entry: name offset, object header, and for a group its B-tree and heap (cache type 1). */
function writeEntry(w: ByteWriter, at: number, nameOffset: number, child: Plan): void {
  w.u64(at, nameOffset);
  if ("group" in child) {
    w.u64(at + 8, child.group.header);
    w.u32(at + 16, 1);
    w.u64(at + 24, child.group.btree);
    w.u64(at + 32, child.group.heap);
  } else w.u64(at + 8, child.dataset.header);
}

function writeGroup(w: ByteWriter, g: GroupPlan, heap: GlobalHeap): void {
  const stab: Message = {
    type: SYMBOL_TABLE,
    flags: 0,
    size: 16,
    body: (bw, at) => {
      bw.u64(at, g.btree);
      bw.u64(at + 8, g.heap);
    },
  };
  writeHeader(w, g.header, [stab]);
  // Local heap: version 0, data segment size, free list head (1: none, libhdf5's marker), data address.
  w.text(g.heap, "HEAP");
  w.u64(g.heap + 8, g.heapSize);
  w.u64(g.heap + 16, 1);
  w.u64(g.heap + 24, g.heapData);
  for (const e of g.entries) w.text(g.heapData + e.offset, e.name);
  // B-tree (type 0: group), a leaf with one child; keys: "" and the child's last (largest) name.
  w.text(g.btree, "TREE");
  w.u16(g.btree + 6, g.entries.length ? 1 : 0);
  w.u64(g.btree + 8, -1);
  w.u64(g.btree + 16, -1);
  if (g.entries.length) {
    w.u64(g.btree + 24, 0);
    w.u64(g.btree + 32, g.snod);
    w.u64(g.btree + 40, g.entries.at(-1)!.offset);
    w.text(g.snod, "SNOD");
    w.u8(g.snod + 4, 1);
    w.u16(g.snod + 6, g.entries.length);
    for (const [i, e] of g.entries.entries()) writeEntry(w, g.snod + 8 + i * ENTRY, e.offset, e.child);
  }
  for (const e of g.entries) {
    if ("group" in e.child) writeGroup(w, e.child.group, heap);
    else {
      const d = e.child.dataset;
      writeHeader(w, d.header, d.messages);
      if (d.data >= 0) writeData(w, d.data, d.node, heap, d.objects);
    }
  }
}

/** The bytes of the HDF5 file whose root group is `root`. Throws a RangeError on a malformed tree. */
export function hdf5FileBytes(root: H5Group): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new RangeError("HDF5: a big-endian host");
  const p: Planning = { space: new Space(SUPERBLOCK), heap: new GlobalHeap(), leafK: LEAF_K };
  const plan = planGroup(root, "/", p);
  placeSymbolNodes(plan, p);
  p.heap.place(p.space);
  if (p.leafK > 0xffff) throw new RangeError("HDF5: a group with more than 131,070 children");
  const w = new ByteWriter(p.space.end);
  // Superblock version 0: 8-byte addresses and lengths, group leaf and internal K, base 0, no free
  // space, end of file, no driver block, then the root group's symbol table entry.
  w.bytes.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  w.u8(13, 8);
  w.u8(14, 8);
  w.u16(16, p.leafK);
  w.u16(18, INTERNAL_K);
  w.u64(24, 0);
  w.u64(32, -1);
  w.u64(40, p.space.end);
  w.u64(48, -1);
  writeEntry(w, 56, 0, { group: plan });
  writeGroup(w, plan, p.heap);
  p.heap.write(w);
  return w.bytes;
}
