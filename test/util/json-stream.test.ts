/**
 * writeJson hands out formatJson's bytes piece by piece from one reused buffer: the pieces, copied
 * as they come and joined, are formatJson of the same value, with typed arrays written as arrays
 * of their numbers and functions replaced by what they return.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatJson } from "../../src/util/json-format.ts";
import { writeJson } from "../../src/util/json-stream.ts";

function streamed(v: unknown): { text: string; pieces: number } {
  const parts: Buffer[] = [];
  writeJson(v, (b) => parts.push(Buffer.from(b)));
  return { text: Buffer.concat(parts).toString("utf8"), pieces: parts.length };
}

test("property: any JSON value streams to formatJson's text", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(streamed(v).text, formatJson(v));
    }),
    { numRuns: 500, seed: 11 },
  );
});

test("property: typed arrays stream as the arrays of their numbers (−0, large and fractional values)", () => {
  const doubles = fc.double({ noNaN: true, noDefaultInfinity: true });
  const ints = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  fc.assert(
    fc.property(
      fc.array(ints),
      fc.array(doubles),
      fc.array(fc.constantFrom(0, -0, 1, -1, 2 ** 31, -(2 ** 31))),
      (a, b, c) => {
        const v = { a: Int32Array.from(a), b: Float64Array.from(b), rows: [Float64Array.from(c), Int32Array.from(a)] };
        const plain = { a, b: b.map((x) => x), rows: [c, a] };
        assert.equal(streamed(v).text, formatJson(plain));
      },
    ),
    { numRuns: 300, seed: 12 },
  );
});

test("functions stand for what they return, called in document order", () => {
  const calls: string[] = [];
  const lazy = (id: string, x: unknown) => () => {
    calls.push(id);
    return x;
  };
  const v = { head: 1, items: [lazy("a", { w: Int32Array.of(1, -2) }), lazy("b", [3, "x"])], tail: lazy("c", {}) };
  assert.equal(streamed(v).text, formatJson({ head: 1, items: [{ w: [1, -2] }, [3, "x"]], tail: {} }));
  assert.deepEqual(calls, ["a", "b", "c"]);
});

test("a value larger than the buffer comes in several pieces and the same bytes", () => {
  const big = Int32Array.from({ length: 700_000 }, (_, i) => (i % 2 ? -i : i * 3));
  const v = {
    note: "é ≥ −",
    big,
    many: Array.from({ length: 3000 }, (_, i) => ({ id: `n${i}`, s: "·".repeat(i % 7) })),
  };
  const s = streamed(v);
  assert.ok(s.pieces > 3, `${s.pieces} pieces`);
  assert.equal(s.text, formatJson({ ...v, big: Array.from(big) }));
});

test("a non-finite number is refused as formatJson refuses it", () => {
  assert.throws(() => writeJson({ x: Float64Array.of(1, Number.NaN) }, () => {}), /formatJson: NaN is not JSON/);
  assert.throws(() => writeJson({ x: Number.POSITIVE_INFINITY }, () => {}), /formatJson: Infinity is not JSON/);
});
