/**
 * The shipped digits data set's reader (src/inputs/digits.ts): 64 pixels 0..16 and a label 0..9
 * per row, blank lines skipped; any other row refused with its row number (E_FORMAT).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { readDigits } from "../../src/inputs/digits.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { tempDir } from "../support/model-files.ts";

const pixels = <V extends number | string>(f: (i: number) => V): V[] => Array.from({ length: 64 }, (_, i) => f(i));

async function fileOf(text: string): Promise<string> {
  const path = join(await tempDir(), "digits.csv.gz");
  writeFileSync(path, gzipSync(Buffer.from(text)));
  return path;
}

test("rows of 64 pixels and a label: pixels / 16, labels as written; blank lines, spaces and CRLF allowed", async () => {
  const a = pixels((i) => i % 17);
  const b = pixels((i) => 16 - (i % 17));
  const text = `${a.join(",")},7\r\n\n ${b.map((v) => ` ${v} `).join(",")} , 0\n\n`;
  const d = readDigits(await fileOf(text));
  assert.deepEqual(d.labels, [7, 0]);
  assert.deepEqual(
    d.images[0],
    Float64Array.from(a, (v) => v / 16),
  );
  assert.deepEqual(
    d.images[1],
    Float64Array.from(b, (v) => v / 16),
  );
});

test("the shipped file: 1,797 rows, pixels in [0, 1] in steps of 1/16, labels 0..9", () => {
  const d = readDigits();
  assert.equal(d.images.length, 1797);
  assert.equal(d.labels.length, 1797);
  assert.ok(d.images.every((im) => im.length === 64 && im.every((v) => v >= 0 && v <= 1 && Number.isInteger(v * 16))));
  assert.deepEqual([...new Set(d.labels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("a row that is not 64 pixels 0..16 and a label 0..9: refused, naming its row", async () => {
  const good = `${pixels(() => 3).join(",")},5`;
  const bad: [string, string][] = [
    ["a pixel of 17", `${pixels((i) => (i === 9 ? 17 : 1)).join(",")},5`],
    ["a three-digit pixel", `${pixels((i) => (i === 0 ? "100" : "1")).join(",")},5`],
    ["a label of 10", `${pixels(() => 1).join(",")},10`],
    [
      "63 pixels",
      `${pixels(() => 1)
        .slice(1)
        .join(",")},5`,
    ],
    ["65 pixels", `${pixels(() => 1).join(",")},1,5`],
    ["an empty cell", `${pixels((i) => (i === 5 ? "" : "1")).join(",")},5`],
    ["a letter", `${pixels((i) => (i === 5 ? "a" : "1")).join(",")},5`],
    ["a negative pixel", `${pixels((i) => (i === 5 ? "-1" : "1")).join(",")},5`],
    ["a fraction", `${pixels((i) => (i === 5 ? "1.5" : "1")).join(",")},5`],
    ["two numbers in a cell", `${pixels((i) => (i === 5 ? "1 2" : "1")).join(",")},5`],
  ];
  for (const [what, row] of bad) {
    const path = await fileOf(`${good}\n\n${row}\n${good}\n`);
    assert.throws(
      () => readDigits(path),
      (e: unknown) => e instanceof SnncError && e.code === "E_FORMAT" && /^row 2: /.test(e.detail),
      what,
    );
  }
});
