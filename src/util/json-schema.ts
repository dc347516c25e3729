/**
 * JSON Schema validation (ajv). The schemas the program validates against when it runs are listed
 * in SHIPPED_SCHEMAS; `npm run build` turns each into a validator module, dist/validators/<name>.cjs,
 * with ajv's standalone code generation (scripts/gen-validators.mjs), so that the compiled program
 * never compiles a schema (ajv takes a few hundred milliseconds of start-up for one). Run from the
 * TypeScript sources (tsx, unit tests), the same schema is compiled with the same options on first
 * use instead: both validators give the same verdicts and the same errors.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv as AjvClass, Options, ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);
let AjvCtor: typeof AjvClass | undefined;

/** Each schema validated at run time: its file (from the package root) and its ajv options. */
export const SHIPPED_SCHEMAS = {
  /** A hardware target description, targets/<name>.json: every error, for a complete message. */
  target: { file: "targets/target.schema.json", options: { allErrors: true } },
  /** A `.snnc.json` model. */
  "snnc-graph": { file: "src/ir/snnc-graph.schema.json", options: { allErrors: false } },
  /** A result file of `snnc simulate`, read back by `snnc merge`. */
  "simulate-result": { file: "src/cli/schemas/simulate.schema.json", options: {} },
} as const satisfies Record<string, { file: string; options: Options }>;

export type ShippedSchema = keyof typeof SHIPPED_SCHEMAS;

/** The ajv options `name` is compiled with, at build time and at run time alike. */
export function schemaOptions(name: ShippedSchema): Options {
  return { strict: true, ...SHIPPED_SCHEMAS[name].options };
}

/** A validator for `schema` (ajv, strict mode), compiled now. */
export function compileSchema(schema: object, opts: Options = {}): ValidateFunction {
  AjvCtor ??= (require("ajv") as { Ajv: typeof AjvClass }).Ajv;
  return new AjvCtor({ strict: true, ...opts }).compile(schema);
}

/** True in the compiled program (dist/), which carries the generated validators. */
const COMPILED = import.meta.url.endsWith(".js");
const validators = new Map<ShippedSchema, ValidateFunction>();

/** The validator of a shipped schema: the generated module in dist/, else compiled on first use. */
export function shippedValidator(name: ShippedSchema): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = COMPILED
      ? (require(`../validators/${name}.cjs`) as ValidateFunction)
      : compileSchema(
          JSON.parse(readFileSync(new URL(`../../${SHIPPED_SCHEMAS[name].file}`, import.meta.url), "utf8")) as object,
          schemaOptions(name),
        );
    validators.set(name, v);
  }
  return v;
}
