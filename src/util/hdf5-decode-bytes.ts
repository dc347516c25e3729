/**
 * Bounds-checked reading of an HDF5 file's bytes for hdf5-decode.ts: little-endian integers,
 * addresses and lengths of the sizes the superblock declares, signatures. Whatever would read
 * outside the file, or a number past 2^53, refuses the file (`Hdf5Unsupported`): the caller then
 * hands it to libhdf5, which reads it or says what is wrong with it.
 */

/** The file uses a part of HDF5 snnc's decoder does not read, or is not well formed: read it with libhdf5. */
export class Hdf5Unsupported extends Error {}

export function refuse(why: string): never {
  throw new Hdf5Unsupported(why);
}

/** The undefined address (all bits set). */
export const UNDEFINED = -1;

export class FileBytes {
  readonly view: DataView;
  offsetSize = 8;
  lengthSize = 8;
  base = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Refuses unless `n` bytes from `at` lie inside the file. */
  check(at: number, n: number): void {
    if (!(Number.isSafeInteger(at) && Number.isSafeInteger(n) && at >= 0 && n >= 0 && at + n <= this.bytes.length))
      refuse(`${n} bytes at ${at} lie outside the file (${this.bytes.length} bytes)`);
  }

  u8(at: number): number {
    this.check(at, 1);
    return this.bytes[at]!;
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }

  /** An unsigned little-endian integer of 1, 2, 4 or 8 bytes; all ones of 8 bytes is `UNDEFINED`. */
  uint(at: number, size: number): number {
    if (size === 1) return this.u8(at);
    if (size === 2) return this.u16(at);
    if (size === 4) return this.u32(at);
    if (size !== 8) refuse(`an integer of ${size} bytes`);
    this.check(at, 8);
    const v = this.view.getBigUint64(at, true);
    if (v === 0xffffffffffffffffn) return UNDEFINED;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) refuse(`a value of ${v} at ${at}`);
    return Number(v);
  }

  /** A file address (absolute, with the superblock's base added), or `UNDEFINED`. */
  address(at: number): number {
    const v = this.uint(at, this.offsetSize);
    if (v === UNDEFINED || (this.offsetSize < 8 && v === 2 ** (8 * this.offsetSize) - 1)) return UNDEFINED;
    return v + this.base;
  }

  length(at: number): number {
    const v = this.uint(at, this.lengthSize);
    if (v === UNDEFINED) refuse(`an undefined length at ${at}`);
    return v;
  }

  /** Refuses unless the four ASCII bytes at `at` are `sig`. */
  signature(at: number, sig: string): void {
    this.check(at, 4);
    for (let i = 0; i < 4; i++) if (this.bytes[at + i] !== sig.charCodeAt(i)) refuse(`no ${sig} signature at ${at}`);
  }

  /** The bytes from `at` to the first NUL (at most `max` of them). */
  cString(at: number, max: number): Uint8Array {
    this.check(at, 0);
    const end = Math.min(this.bytes.length, at + max);
    let i = at;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i === end) refuse(`a name at ${at} without its terminating NUL`);
    return this.bytes.subarray(at, i);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text; bytes that are not UTF-8 refuse the file (libhdf5's readers decode them their own way). */
export function utf8Text(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    return refuse("a name or string that is not UTF-8");
  }
}
