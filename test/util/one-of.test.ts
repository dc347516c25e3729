import assert from "node:assert/strict";
import { test } from "node:test";
import { oneOf } from "../../src/util/one-of.ts";

test("oneOf returns a value among the options and refuses any other with the options quoted", () => {
  const modes = ["mean", "sum"] as const;
  assert.equal(
    oneOf("sum", modes, () => new Error("unused")),
    "sum",
  );
  assert.throws(
    () => oneOf("max", modes, (v, quoted) => new RangeError(`${v}: expected ${quoted.join(" or ")}`)),
    (e: unknown) => e instanceof RangeError && e.message === 'max: expected "mean" or "sum"',
  );
});
