/**
 * Little-endian writing into the bytes of an HDF5 file (hdf5-encode.ts): addresses and lengths
 * are 8 bytes, the undefined address is all ones, and everything is laid out on 8-byte boundaries.
 */

const UNDEF = 0xffffffffffffffffn;
const utf8 = new TextEncoder();

export const pad8 = (n: number): number => (n + 7) & ~7;

export const utf8Bytes = (s: string): Uint8Array => utf8.encode(s);

/** Hands out the file's space in order, each piece 8-aligned. */
export class Space {
  constructor(public end: number) {}
  take(bytes: number): number {
    const at = this.end;
    this.end += pad8(bytes);
    return at;
  }
}

export class ByteWriter {
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
  text(at: number, s: string): void {
    this.bytes.set(utf8.encode(s), at);
  }
}

/** One message of an object header: its type, flags, body size (8-aligned) and how to write the body. */
export interface Message {
  type: number;
  flags: number;
  size: number;
  body: (w: ByteWriter, at: number) => void;
}

export const OHDR_PREFIX = 16;

/** The size of a version 1 object header holding `msgs`: the prefix, then each message's 8-byte header and body. */
export function headerSize(msgs: readonly Pick<Message, "size">[]): number {
  return OHDR_PREFIX + msgs.reduce((a, m) => a + 8 + m.size, 0);
}

/** A version 1 object header at `at`. */
export function writeHeader(w: ByteWriter, at: number, msgs: readonly Message[]): void {
  w.u8(at, 1); // version
  w.u16(at + 2, msgs.length);
  w.u32(at + 4, 1); // reference count
  w.u32(at + 8, headerSize(msgs) - OHDR_PREFIX);
  let p = at + OHDR_PREFIX;
  for (const m of msgs) {
    w.u16(p, m.type);
    w.u16(p + 2, m.size);
    w.u8(p + 4, m.flags);
    m.body(w, p + 8);
    p += 8 + m.size;
  }
}
