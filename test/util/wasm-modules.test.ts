/**
 * The WebAssembly modules the program carries (scripts/gen-wasm.ts) are what their text sources
 * compile to: a .wat edited without `npm run gen:wasm` fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generatedModules, WASM_SOURCES } from "../../scripts/gen-wasm.ts";

test("every WebAssembly module the program carries is what its source compiles to", async () => {
  const modules = await generatedModules();
  assert.equal(modules.length, WASM_SOURCES.length);
  for (const [path, text] of modules)
    assert.equal(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"), text, `${path} is stale`);
});
