/**
 * The global heap of an HDF5 file (hdf5-encode.ts): where variable-length strings live. Each string
 * is one object of a collection ("GCOL", version 1): a 16-byte object header (its index from 1, a
 * reference count, its size) and its bytes, 8-aligned. A collection is at least 4 KiB (libhdf5
 * reads that much before it knows the size); what is left at its end is the free-space object
 * (index 0), whose size counts its own header. A collection holds at most 65,535 objects.
 */
import { type ByteWriter, pad8, type Space, utf8Bytes } from "./hdf5-bytes.ts";

const MIN_COLLECTION = 4096;
const MAX_OBJECTS = 0xffff;

/** An object of the heap: its collection (by number, until the heap is placed) and its index there. */
export interface HeapObject {
  collection: number;
  index: number;
  length: number;
}

interface Collection {
  objects: Uint8Array[];
  used: number;
  at: number;
  size: number;
}

export class GlobalHeap {
  private readonly collections: Collection[] = [];

  /** Adds the UTF-8 bytes of `s` as a new object. */
  add(s: string): HeapObject {
    const data = utf8Bytes(s);
    let c = this.collections.at(-1);
    if (!c || c.objects.length === MAX_OBJECTS) {
      c = { objects: [], used: 16, at: -1, size: 0 };
      this.collections.push(c);
    }
    c.objects.push(data);
    c.used += 16 + pad8(data.length);
    return { collection: this.collections.length - 1, index: c.objects.length, length: data.length };
  }

  /** Takes the collections' space (none when the heap is empty). */
  place(space: Space): void {
    for (const c of this.collections) {
      c.size = Math.max(MIN_COLLECTION, c.used);
      c.at = space.take(c.size);
    }
  }

  /** The address of a placed object's collection. */
  address(o: HeapObject): number {
    return this.collections[o.collection]!.at;
  }

  write(w: ByteWriter): void {
    for (const c of this.collections) {
      w.text(c.at, "GCOL");
      w.u8(c.at + 4, 1); // version
      w.u64(c.at + 8, c.size);
      let p = c.at + 16;
      for (const [i, data] of c.objects.entries()) {
        w.u16(p, i + 1); // index; reference count 0, as libhdf5 writes it
        w.u64(p + 8, data.length);
        w.bytes.set(data, p + 16);
        p += 16 + pad8(data.length);
      }
      // the rest is free space: object 0, its size including its header (under 16 bytes: nothing)
      const free = c.at + c.size - p;
      if (free >= 16) w.u64(p + 8, free);
    }
  }
}
