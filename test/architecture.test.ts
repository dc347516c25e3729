/**
 * The import rules of docs/ARCHITECTURE.md, checked on the source tree: each folder under src/ may import
 * only the folders listed for it. A new import that crosses a layer fails here, naming the file and the import.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** Layer of a file: its first folder under src/ ("index.ts" at the top is the library entry). */
function layerOf(file: string): string {
  const rel = relative(SRC, file).split("\\").join("/");
  return rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : "(entry)";
}

/** What each layer may import besides itself (docs/ARCHITECTURE.md, "Import rules"). */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  ir: ["util"],
  target: ["ir", "util"],
  sim: ["ir", "util"],
  verify: ["ir", "sim", "util"],
  inputs: ["ir", "sim", "util"],
  frontends: ["ir", "util"],
  passes: ["ir", "sim", "util"],
  loihi: ["ir", "passes", "sim", "target", "verify", "util", "driver", "inputs"],
  nir: ["ir", "passes", "sim", "target", "verify", "util", "driver", "frontends"],
  driver: ["ir", "passes", "sim", "target", "verify", "util", "loihi", "nir", "inputs"],
  report: ["ir", "passes", "sim", "target", "verify", "util", "loihi", "driver", "inputs"],
  cli: ["ir", "passes", "sim", "target", "verify", "util", "loihi", "nir", "driver", "frontends", "inputs", "report"],
  "(entry)": ["ir", "passes", "sim", "target", "verify", "util", "loihi", "nir", "driver", "frontends", "inputs"],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

test("every src/ folder imports only the layers the architecture allows", () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    const allowed = ALLOWED[from];
    assert.ok(allowed, `src/${relative(SRC, file)}: folder '${from}' has no entry in the import rules`);
    for (const target of relativeImports(file)) {
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to)) violations.push(`src/${relative(SRC, file)} imports ${to}/`);
    }
  }
  assert.deepEqual(violations, []);
});

test("no file under src/ is over 400 lines", () => {
  const long = sources(SRC)
    .map((f) => ({ f: relative(SRC, f), n: readFileSync(f, "utf8").split("\n").length }))
    .filter((x) => x.n > 400);
  assert.deepEqual(long, []);
});

test("the import rules are not vacuous: a frontend importing a target family would be flagged", () => {
  assert.ok(!ALLOWED.frontends!.includes("loihi"));
  assert.ok(!ALLOWED.ir!.includes("passes"));
  assert.ok(!ALLOWED.passes!.includes("loihi"));
  assert.ok(!ALLOWED.sim!.includes("loihi"));
});
