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
  text.split("\n").forEach((line, row) => {
    if (line.trim() === "") return;
    const cells = line.split(",").map(Number);
    const ok = cells.length === PIXELS + 1 && cells.every((v) => Number.isInteger(v) && v >= 0 && v <= 16);
    if (!ok || cells[PIXELS]! > 9)
      throw new SnncError("E_FORMAT", `row ${row}: expected 64 pixels 0..16 and a label 0..9`, { file: path });
    images.push(Float64Array.from(cells.slice(0, PIXELS), (v) => v / 16));
    labels.push(cells[PIXELS]!);
  });
  return { images, labels };
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
