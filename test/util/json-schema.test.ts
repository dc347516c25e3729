/**
 * The validators `npm run build` generates (dist/validators/<name>.cjs, ajv standalone code, what
 * the compiled program runs) decide every document as the schemas compiled from the sources do, with
 * the same errors: on a valid document of each shipped schema and on random edits of it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ValidateFunction } from "ajv";
import fc from "fast-check";
import { loadTfjsModel } from "../../src/frontends/tfjs/load.ts";
import { graphToJson } from "../../src/ir/serialize.ts";
import { compileSchema, SHIPPED_SCHEMAS, type ShippedSchema, schemaOptions } from "../../src/util/json-schema.ts";
import { ROOT, snnc } from "../support/cli.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const require = createRequire(import.meta.url);

function generated(name: ShippedSchema): ValidateFunction {
  return require(join(ROOT, "dist", "validators", `${name}.cjs`)) as ValidateFunction;
}

function compiled(name: ShippedSchema): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(ROOT, SHIPPED_SCHEMAS[name].file), "utf8")) as object;
  return compileSchema(schema, schemaOptions(name));
}

/** A valid document of each schema: a shipped target, a fixture as .snnc.json, a simulate result. */
async function validDocument(name: ShippedSchema): Promise<Json> {
  if (name === "target") return JSON.parse(readFileSync(join(ROOT, "targets", "loihi2.json"), "utf8")) as Json;
  if (name === "snnc-graph") {
    const g = await loadTfjsModel(join(ROOT, "fixtures", "tdbn", "model.json"));
    return JSON.parse(graphToJson(g)) as Json;
  }
  const fx = join(ROOT, "fixtures", "tdbn");
  const r = snnc(["simulate", join(fx, "model.json"), "--inputs", join(fx, "input.json"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Json;
}

/** Every path in `doc`, but only the first 3 items of an array (tensor data holds thousands). */
function pathsOf(doc: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(doc)) for (const [i, x] of doc.slice(0, 3).entries()) pathsOf(x, [...at, i], out);
  else if (doc !== null && typeof doc === "object")
    for (const [k, x] of Object.entries(doc)) pathsOf(x, [...at, k], out);
  return out;
}

type Edit = { kind: "set"; value: Json } | { kind: "delete" } | { kind: "add"; key: string; value: Json };

/** `doc` with one edit at `path` (the document itself is left alone). */
function edited(doc: Json, path: Path, edit: Edit): Json {
  const copy = structuredClone(doc);
  if (path.length === 0) return edit.kind === "set" ? edit.value : copy;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (edit.kind === "set") parent[last] = edit.value;
  else if (edit.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === "object" && !Array.isArray(target)) target[edit.key] = edit.value;
  }
  return copy;
}

const jsonValue = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const anEdit: fc.Arbitrary<Edit> = fc.oneof(
  jsonValue.map((value): Edit => ({ kind: "set", value })),
  fc.constant<Edit>({ kind: "delete" }),
  fc.tuple(fc.string({ maxLength: 8 }), jsonValue).map(([key, value]): Edit => ({ kind: "add", key, value })),
);

describe("generated validators equal the schemas compiled at run time", () => {
  for (const name of Object.keys(SHIPPED_SCHEMAS) as ShippedSchema[]) {
    test(`${name}: the same verdict and the same errors on a valid document and 300 edits of it`, async () => {
      const gen = generated(name);
      const run = compiled(name);
      const doc = await validDocument(name);
      assert.equal(gen(doc), true, JSON.stringify(gen.errors));
      assert.equal(run(doc), true, JSON.stringify(run.errors));
      const paths = pathsOf(doc);
      let refused = 0;
      fc.assert(
        fc.property(fc.nat({ max: paths.length - 1 }), anEdit, (i, edit) => {
          const d = edited(doc, paths[i]!, edit);
          const verdict = gen(d);
          assert.equal(verdict, run(d));
          assert.deepEqual(gen.errors, run.errors);
          if (!verdict) refused++;
        }),
        { numRuns: 300, seed: 20240611 },
      );
      assert.ok(refused > 30, `only ${refused} of 300 edits were refused: the edits do not exercise the schema`);
    });
  }
});
