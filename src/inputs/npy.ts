/**
 * NumPy `.npy` files (format versions 1–3): float32 or float64, C order, either byte order.
 * The header is checked against the file's length before any value is read: a header that
 * claims more (or fewer) values than the file holds is an error naming the file, not an
 * allocation of what the header claims (the file's own size is checked by the caller).
 */
import { SnncError } from "../ir/errors.ts";

export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** `integers`: also accept signed and unsigned integer dtypes (class labels), read as exact numbers. */
export function parseNpy(buf: Uint8Array, file: string, opts: { integers?: boolean } = {}): NpyArray {
  const bad = (detail: string) => new SnncError("E_FORMAT", `not a valid .npy file: ${detail}`, { file });
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw bad("no \\x93NUMPY magic at the start");
  const major = buf[6]!;
  if (major < 1 || major > 3) throw bad(`format version ${major}.${buf[7]} (supported: 1, 2, 3)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) throw bad("the file ends inside the header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (start > buf.length) throw bad(`the header claims ${headerLen} bytes, the file ends after ${buf.length}`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(buf.subarray(8 + lenBytes, start));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw bad("the header lacks 'descr', 'fortran_order' or 'shape'");
  if (fortran === "True")
    throw new SnncError("E_FORMAT", "Fortran-ordered .npy is not supported; save with C order", { file });
  const m = (opts.integers ? /^([<>=|]?)([fiu])([1248])$/ : /^([<>=|]?)(f)([48])$/).exec(descr);
  if (!m || (m[2] === "f" && Number(m[3]) < 4))
    throw new SnncError("E_FORMAT", `dtype '${descr}' is not float32/float64${opts.integers ? " or an integer" : ""}`, {
      file,
    });
  const kind = m[2]!;
  const item = Number(m[3]);
  const little = m[1] !== ">";

  const shape: number[] = [];
  for (const part of shapeText.split(",")) {
    const t = part.trim().replace(/L$/, "");
    if (t === "") continue;
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw bad(`shape entry '${t}' is not a size`);
    shape.push(Number(t));
  }
  const values = shape.reduce((a, d) => a * d, 1);
  const have = buf.length - start;
  if (!Number.isSafeInteger(values) || values * item !== have) {
    const claimed = Number.isSafeInteger(values * item) ? `${values * item} bytes` : "more bytes than can exist";
    throw new SnncError(
      "E_FORMAT",
      `truncated or mis-sized .npy: the header's shape (${shape.join(", ")}) of '${descr}' needs ${claimed} of data, the file holds ${have}`,
      { file },
    );
  }
  const data = new Float64Array(values);
  const read = reader(view, kind, item, little);
  for (let i = 0; i < values; i++) data[i] = read(start + item * i);
  return { shape, data };
}

/** The value at a byte offset for a dtype (integers beyond 2^53 lose precision, as in float64). */
function reader(view: DataView, kind: string, item: number, little: boolean): (at: number) => number {
  if (kind === "f") return item === 4 ? (at) => view.getFloat32(at, little) : (at) => view.getFloat64(at, little);
  const signed = kind === "i";
  if (item === 1) return signed ? (at) => view.getInt8(at) : (at) => view.getUint8(at);
  if (item === 2) return signed ? (at) => view.getInt16(at, little) : (at) => view.getUint16(at, little);
  if (item === 4) return signed ? (at) => view.getInt32(at, little) : (at) => view.getUint32(at, little);
  return signed ? (at) => Number(view.getBigInt64(at, little)) : (at) => Number(view.getBigUint64(at, little));
}
