/**
 * JSON Schema validation (ajv), loaded on first use: ajv costs every command its start-up time when
 * it is imported by modules that most commands load but few validate with.
 */
import { createRequire } from "node:module";
import type { Ajv as AjvClass, Options, ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);
let AjvCtor: typeof AjvClass | undefined;

/** A validator for `schema` (ajv, strict mode). */
export function compileSchema(schema: object, opts: Options = {}): ValidateFunction {
  AjvCtor ??= (require("ajv") as { Ajv: typeof AjvClass }).Ajv;
  return new AjvCtor({ strict: true, ...opts }).compile(schema);
}
