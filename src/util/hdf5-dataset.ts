/**
 * The datasets of an HDF5 file (hdf5-encode.ts): their object header messages (dataspace version
 * 1, where rank 0 is a scalar; datatype version 1; layout version 3, contiguous) and their data.
 *
 * Datatypes, all little-endian: signed integers of 32 or 64 bits; IEEE float64; fixed-length
 * strings, null-padded UTF-8 (numpy's `S<n>`); variable-length UTF-8 strings, null-terminated, as
 * h5py writes Python strings (each element a length, a global heap collection's address and an
 * object index; hdf5-global-heap.ts).
 */
import { type ByteWriter, type Message, utf8Bytes } from "./hdf5-bytes.ts";
import type { GlobalHeap, HeapObject } from "./hdf5-global-heap.ts";

export type H5Dataset =
  | { kind: "int"; data: Int32Array | BigInt64Array; shape: readonly number[] }
  | { kind: "float"; data: Float64Array; shape: readonly number[] }
  /** Fixed-length UTF-8 strings of `size` bytes each, null-padded (numpy's `S<size>`). */
  | { kind: "fixed-string"; size: number; data: readonly string[]; shape: readonly number[] }
  /** Variable-length UTF-8 strings (h5py's `str`). */
  | { kind: "string"; data: readonly string[]; shape: readonly number[] };

const DATASPACE = 0x0001;
const DATATYPE = 0x0003;
const LAYOUT = 0x0008;

/** The size of one element in the file. */
function elementSize(d: H5Dataset): number {
  if (d.kind === "int") return d.data.BYTES_PER_ELEMENT;
  if (d.kind === "float") return 8;
  if (d.kind === "fixed-string") return d.size;
  return 16; // length, collection address, object index
}

/** Checks `d` (its shape against its data, its strings against their size); the bytes of its data. */
export function datasetBytes(path: string, d: H5Dataset): number {
  for (const n of d.shape)
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`HDF5: '${path}' has a bad dimension ${n}`);
  const count = d.shape.reduce((a, b) => a * b, 1);
  if (d.data.length !== count)
    throw new RangeError(`HDF5: '${path}' holds ${d.data.length} values for shape (${d.shape.join(", ")})`);
  if (d.kind === "fixed-string") {
    if (!Number.isInteger(d.size) || d.size < 1) throw new RangeError(`HDF5: '${path}' has a string size of ${d.size}`);
    for (const s of d.data)
      if (utf8Bytes(s).length > d.size) throw new RangeError(`HDF5: '${path}': '${s}' is longer than ${d.size} bytes`);
  }
  return count * elementSize(d);
}

/** The heap objects of a variable-length string dataset's elements (none for other kinds). */
export function heapObjects(d: H5Dataset, heap: GlobalHeap): HeapObject[] {
  return d.kind === "string" ? d.data.map((s) => heap.add(s)) : [];
}

function datatype(d: H5Dataset): Message {
  const body = (w: ByteWriter, at: number): void => {
    switch (d.kind) {
      case "int":
        w.u8(at, 0x10); // version 1, class 0: fixed point
        w.u8(at + 1, 0x08); // little-endian, zero padding, signed
        w.u32(at + 4, d.data.BYTES_PER_ELEMENT);
        w.u16(at + 10, 8 * d.data.BYTES_PER_ELEMENT); // bit offset 0, precision
        return;
      case "float":
        w.u8(at, 0x11); // version 1, class 1: floating point
        w.u8(at + 1, 0x20); // little-endian, zero padding, mantissa's leading bit implied
        w.u8(at + 2, 63); // sign bit
        w.u32(at + 4, 8);
        w.u16(at + 10, 64); // bit offset 0, precision
        w.u8(at + 12, 52); // exponent location and size, mantissa location and size
        w.u8(at + 13, 11);
        w.u8(at + 15, 52);
        w.u32(at + 16, 1023); // exponent bias
        return;
      case "fixed-string":
        w.u8(at, 0x13); // version 1, class 3: string
        w.u8(at + 1, 0x11); // null-padded, UTF-8
        w.u32(at + 4, d.size);
        return;
      case "string":
        w.u8(at, 0x19); // version 1, class 9: variable length
        w.u8(at + 1, 0x01); // a string, null-terminated
        w.u8(at + 2, 0x01); // UTF-8
        w.u32(at + 4, 16);
        // the base type: unsigned 8-bit integers (libhdf5's for strings)
        w.u8(at + 8, 0x10);
        w.u32(at + 12, 1);
        w.u16(at + 18, 8);
        return;
    }
  };
  const size = { int: 16, float: 24, "fixed-string": 8, string: 24 }[d.kind];
  return { type: DATATYPE, flags: 1, size, body }; // flags: constant
}

/** The messages of `d`'s object header, its data (`bytes` of it) at `data` (-1: none). */
export function datasetMessages(d: H5Dataset, data: number, bytes: number): Message[] {
  return [
    {
      type: DATASPACE,
      flags: 0,
      size: 8 + 8 * d.shape.length,
      body: (w, at) => {
        w.u8(at, 1); // version 1: rank 0 is a scalar
        w.u8(at + 1, d.shape.length);
        for (const [i, n] of d.shape.entries()) w.u64(at + 8 + 8 * i, n);
      },
    },
    datatype(d),
    {
      type: LAYOUT,
      flags: 0,
      size: 24,
      body: (w, at) => {
        w.u8(at, 3); // version 3
        w.u8(at + 1, 1); // contiguous
        w.u64(at + 2, data);
        w.u64(at + 10, bytes);
      },
    },
  ];
}

/** `d`'s data at `at`; a string dataset's elements point at `objects` in `heap`. */
export function writeData(w: ByteWriter, at: number, d: H5Dataset, heap: GlobalHeap, objects: HeapObject[]): void {
  switch (d.kind) {
    case "int":
    case "float":
      w.bytes.set(new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength), at);
      return;
    case "fixed-string":
      for (const [i, s] of d.data.entries()) w.text(at + i * d.size, s);
      return;
    case "string":
      for (const [i, o] of objects.entries()) {
        w.u32(at + 16 * i, o.length);
        w.u64(at + 16 * i + 4, heap.address(o));
        w.u32(at + 16 * i + 12, o.index);
      }
      return;
  }
}
