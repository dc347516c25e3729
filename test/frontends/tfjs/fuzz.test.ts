/**
 * Property: whatever is wrong with a model.json, the reader answers with an SnncError that names
 * the file, on one line, and never with an internal exception (a TypeError or the like).
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { describe, test } from "node:test";
import fc from "fast-check";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import { fixtureCopy, type AnyJson } from "../../support/model-files.ts";

/** Every path (list of keys) to a value inside `j`. */
function paths(j: AnyJson, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(j)) for (const [i, v] of j.entries()) out.push(...paths(v, [...prefix, i]));
  else if (j !== null && typeof j === "object")
    for (const k of Object.keys(j)) out.push(...paths(j[k], [...prefix, k]));
  return out;
}

function mutate(j: AnyJson, path: (string | number)[], value: AnyJson, remove: boolean): AnyJson {
  if (path.length === 0) return value;
  const copy = structuredClone(j);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  const last = path[path.length - 1]!;
  if (remove && Array.isArray(o)) o.splice(last as number, 1);
  else if (remove) delete o[last];
  else o[last] = value;
  return copy;
}

const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    "",
    "same",
    "valid",
    "hard",
    "soft",
    "gt",
    "ge",
    "channel",
    "element",
    "causal",
    "channels_first",
    "Dense",
    "LIF",
    "x",
  ),
  fc.constant([]),
  fc.constant({}),
  fc.constant([null, 2]),
  fc.constant([3, 3]),
  fc.constant([
    [1, 1],
    [1, 1],
  ]),
);

describe("mutated model.json", () => {
  for (const fixture of ["conv-bn-pool", "residual-add", "mt-lif", "time-distributed"]) {
    test(`${fixture}: any single edit loads or fails with an SnncError`, async () => {
      const p = await fixtureCopy(fixture);
      const original = JSON.parse(await readFile(p, "utf8"));
      const all = paths(original);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: all.length - 1 }), jsonValue, fc.boolean(), async (i, value, remove) => {
          await writeFile(p, JSON.stringify(mutate(original, all[i]!, value, remove)));
          try {
            await loadTfjsModel(p);
          } catch (e) {
            assert.ok(e instanceof SnncError, `not an SnncError: ${String(e)}`);
            assert.equal(e.file, p);
            assert.ok(!e.message.includes("\n"), e.message);
            assert.ok(
              !e.detail.startsWith("cannot read the model:"),
              `internal error leaked: ${e.message} (edit ${JSON.stringify(all[i])} = ${JSON.stringify(value)}, remove ${remove})`,
            );
          }
        }),
        { numRuns: 300, seed: 20240611 },
      );
    });
  }
});
