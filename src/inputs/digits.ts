/**
 * The 8×8 handwritten digits data set shipped in fixtures/data/digits.csv.gz (see its README):
 * 1,797 rows of 64 pixels (row-major, 0..16) and a label 0..9. `snnc simulate --inputs digits`
 * runs its test split: the last 20 % of the rows (1437–1796, 360 images), pixels divided by 16.
 * A model takes the images if its input is [8,8,1], [8,8] or [64] (the same row-major order).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { SnncError } from "../ir/errors.ts";
import { inputNode } from "../ir/graph.ts";
import type { Graph } from "../ir/nodes.ts";
import { shapeStr } from "../ir/tensor.ts";
import type { InputSet } from "./input-set.ts";

export const DIGITS_FILE = fileURLToPath(new URL("../../fixtures/data/digits.csv.gz", import.meta.url));
const PIXELS = 64;
const SHAPES = ["[8,8,1]", "[8,8]", "[64]"];

export interface Digits {
  /** One image per row, pixels scaled to [0, 1]. */
  images: Float64Array[];
  labels: number[];
}

/** Every row of the data set (a gzipped CSV of 64 pixels and a label per row). */
export function readDigits(path = DIGITS_FILE): Digits {
  let text: string;
  try {
    text = gunzipSync(readFileSync(path)).toString("utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError("E_IO", `cannot read the digits data set (${code ?? (e as Error).message})`, { file: path });
  }
  const images: Float64Array[] = [];
  const labels: number[] = [];
  const cells = new Float64Array(PIXELS + 1);
  for (let start = 0, row = 0; start < text.length; row++) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    if (!parseRow(line, cells))
      throw new SnncError("E_FORMAT", `row ${row}: expected 64 pixels 0..16 and a label 0..9`, { file: path });
    const image = new Float64Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) image[i] = cells[i]! / 16;
    images.push(image);
    labels.push(cells[PIXELS]!);
  }
  return { images, labels };
}

/**
 * A row's 64 pixels (integers 0..16) and label (0..9) into `cells`, read character by character
 * (spaces and a carriage return around a value allowed); false when the row is not that.
 */
function parseRow(line: string, cells: Float64Array): boolean {
  let k = 0;
  let v = 0;
  let digits = 0;
  let closed = false; // a space after the value's digits: only a comma may follow
  for (let i = 0; i <= line.length; i++) {
    const ch = i < line.length ? line.charCodeAt(i) : 44; // the end closes the last value as a comma does
    if (ch >= 48 && ch <= 57 && !closed) {
      v = v * 10 + (ch - 48);
      digits++;
    } else if (ch === 44) {
      if (digits === 0 || k > PIXELS || v > (k < PIXELS ? 16 : 9)) return false;
      cells[k++] = v;
      v = 0;
      digits = 0;
      closed = false;
    } else if (ch === 32 || ch === 13 || ch === 9) closed = digits > 0;
    else return false;
  }
  return k === PIXELS + 1;
}

/** The first row of the test split of `rows` rows: the last 20 % are the test split. */
export function digitsTestStart(rows: number): number {
  return Math.floor(rows * 0.8);
}

/** The test split as the inputs of `g` (checked: an analog input of 64 values). */
export function digitsTestSet(g: Graph, path = DIGITS_FILE): InputSet {
  const inp = inputNode(g);
  if (!SHAPES.includes(shapeStr(inp.inputShape)))
    throw new SnncError(
      "E_SHAPE",
      `the model's input is ${shapeStr(inp.inputShape)}; the digits data set holds 8×8 images (input [8,8,1], [8,8] or [64])`,
      { file: "digits", layer: inp.id },
    );
  if (g.meta.encoding === "spikes")
    throw new SnncError(
      "E_VALUE",
      "the model takes spike-encoded input; the digits data set holds analog images (direct encoding)",
      { file: "digits", layer: inp.id },
    );
  const { images, labels } = readDigits(path);
  const first = digitsTestStart(images.length);
  return {
    source: `digits (test split: rows ${first}-${images.length - 1} of ${images.length})`,
    samples: images.slice(first),
    names: images.slice(first).map((_, k) => `digits#${first + k}`),
    labels: labels.slice(first),
  };
}
