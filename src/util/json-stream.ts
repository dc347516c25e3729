/**
 * The bytes of formatJson (util/json-format.ts), handed to a sink piece by piece instead of built
 * as one string: for output files too large to hold (a Lava process graph of a CIFAR network is
 * ~100 MB of weights). The pieces come from one reused buffer, so the whole text never exists:
 *
 *   - a typed array is written as the array of its numbers, digit by digit into the buffer (no
 *     string per number, no copy as a plain array);
 *   - a function stands for the object or array it returns, called when the writer reaches it,
 *     so that the large parts of a document need not all exist at once.
 *
 * In order, the pieces are exactly formatJson of the same value with every typed array replaced
 * by a plain array and every function by what it returns (a property test checks it).
 */

/** Receives the next bytes; they are valid only during the call (the buffer is reused). */
export type ByteSink = (bytes: Uint8Array) => void;

const BUFFER = 1 << 20;

export function writeJson(value: unknown, sink: ByteSink, indent = "  "): void {
  const w = new JsonWriter(sink);
  fmt(w, value, "", indent);
  w.ascii("\n");
  w.flush();
}

/** What formatJson writes on one line: anything but objects, arrays and (here) functions. */
function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

function fmt(w: JsonWriter, v: unknown, pad: string, indent: string): void {
  if (typeof v === "function") v = v();
  if (v === undefined) w.ascii("null");
  else if (typeof v === "number") w.number(v);
  else if (isPrimitive(v)) w.text(JSON.stringify(v));
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) w.numbers(v as unknown as ArrayLike<number>);
  else if (Array.isArray(v)) array(w, v, pad, indent);
  else object(w, v as Record<string, unknown>, pad, indent);
}

function array(w: JsonWriter, v: unknown[], pad: string, indent: string): void {
  if (v.length === 0) {
    w.ascii("[]");
  } else if (v.every(isPrimitive)) {
    w.ascii("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.ascii(", ");
      fmt(w, v[i], pad, indent);
    }
    w.ascii("]");
  } else {
    const inner = pad + indent;
    w.ascii("[\n");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.ascii(",\n");
      w.text(inner);
      fmt(w, v[i], inner, indent);
    }
    w.text(`\n${pad}]`);
  }
}

function object(w: JsonWriter, v: Record<string, unknown>, pad: string, indent: string): void {
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  if (entries.length === 0) {
    w.ascii("{}");
    return;
  }
  const inner = pad + indent;
  w.ascii("{\n");
  entries.forEach(([k, x], i) => {
    if (i > 0) w.ascii(",\n");
    w.text(`${inner}${JSON.stringify(k)}: `);
    fmt(w, x, inner, indent);
  });
  w.text(`\n${pad}}`);
}

/** Appends bytes to one buffer, handing it to the sink whenever the next piece would not fit. */
class JsonWriter {
  private readonly buf = Buffer.allocUnsafe(BUFFER);
  private pos = 0;

  constructor(private readonly sink: ByteSink) {}

  /** Room for `need` more bytes (false when they can never fit: the caller hands them over whole). */
  private room(need: number): boolean {
    if (this.pos + need <= BUFFER) return true;
    this.flush();
    return need <= BUFFER;
  }

  flush(): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  text(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    if (this.room(n)) this.pos += this.buf.write(s, this.pos, n, "utf8");
    else this.sink(Buffer.from(s, "utf8"));
  }

  /** A string known to be ASCII (its length is its byte count). */
  ascii(s: string): void {
    if (this.room(s.length)) this.pos += this.buf.write(s, this.pos, s.length, "latin1");
    else this.sink(Buffer.from(s, "latin1"));
  }

  /** A number as JSON.stringify writes it (integers of int32 range without a string). */
  number(v: number): void {
    if ((v | 0) === v) {
      this.room(12);
      this.pos = writeInt(this.buf, this.pos, v);
    } else this.ascii(numberJson(v));
  }

  /** `[a, b, …]` of a typed array; `[]` when empty. */
  numbers(a: ArrayLike<number>): void {
    const n = a.length;
    if (n === 0) {
      this.ascii("[]");
      return;
    }
    this.ascii("[");
    const b = this.buf;
    for (let i = 0; i < n; i++) {
      if (this.pos + 14 > BUFFER) this.flush();
      let p = this.pos;
      if (i > 0) {
        b[p++] = 44; // ","
        b[p++] = 32; // " "
      }
      const v = a[i]!;
      if ((v | 0) === v) this.pos = writeInt(b, p, v);
      else {
        this.pos = p;
        this.ascii(numberJson(v));
      }
    }
    this.ascii("]");
  }
}

function numberJson(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`formatJson: ${v} is not JSON`);
  return JSON.stringify(v);
}

/** The digits of 0..999 (weights are small integers), three bytes each, right-aligned; and their counts. */
const SMALL = 1000;
const DIGITS = new Uint8Array(3 * SMALL);
const DIGIT_COUNT = new Uint8Array(SMALL);
for (let a = 0; a < SMALL; a++) {
  const s = String(a);
  DIGIT_COUNT[a] = s.length;
  for (let j = 0; j < s.length; j++) DIGITS[3 * a + 3 - s.length + j] = s.charCodeAt(j);
}

/** Decimal digits of an int32 `v` (−0 as 0, as JSON.stringify) at b[p]; returns the end. */
function writeInt(b: Uint8Array, p: number, v: number): number {
  let n = v;
  if (n < 0) {
    b[p++] = 45; // "-"
    n = -n;
  }
  if (n < SMALL) {
    const len = DIGIT_COUNT[n]!;
    for (let j = 0, from = 3 * n + 3 - len; j < len; j++) b[p + j] = DIGITS[from + j]!;
    return p + len;
  }
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  let q = p + len;
  const end = q;
  while (n >= 10) {
    const d = n % 10;
    b[--q] = 48 + d;
    n = (n - d) / 10;
  }
  b[--q] = 48 + n;
  return end;
}
