/** The bytes of an output file's content, whatever its form (tests, library callers). */
import type { OutputContent } from "./types.ts";

/** The whole content as one buffer. */
export function outputBytes(c: OutputContent): Buffer {
  if (typeof c === "string") return Buffer.from(c, "utf8");
  if (c instanceof Uint8Array) return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  const parts: Buffer[] = [];
  c.write((b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts);
}
