// Compiles each WebAssembly text source of the program (WASM_SOURCES) with wabt and writes the
// module's bytes, base64, into the TypeScript module beside it, which the program imports (so the
// bytes travel with the code into the bundle and worker threads, and nothing is read from disk).
// `npm run gen:wasm` writes them; `--check` exits 1 when a written module is not what its
// source compiles to (test/util/wasm-modules.test.ts checks the same).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import wabtInit from "wabt";

const ROOT = new URL("../", import.meta.url);
export const WASM_SOURCES = [
  {
    wat: "src/loihi/sim/wasm/conv-kernels.wat",
    ts: "src/loihi/sim/wasm/conv-kernels-wasm.ts",
    name: "CONV_KERNELS_WASM",
  },
  { wat: "src/sim/wasm/conv-f64.wat", ts: "src/sim/wasm/conv-f64-wasm.ts", name: "CONV_F64_WASM" },
];

/** The TypeScript text of each source's module: [path, text]. */
export async function generatedModules(): Promise<[path: string, text: string][]> {
  const wabt = await wabtInit();
  return WASM_SOURCES.map(({ wat, ts, name }): [string, string] => {
    const text = readFileSync(new URL(wat, ROOT), "utf8");
    const mod = wabt.parseWat(wat, text, { simd: true });
    try {
      mod.validate();
      const { buffer } = mod.toBinary({ write_debug_names: false });
      const b64 = Buffer.from(buffer).toString("base64");
      const lines = b64.match(/.{1,100}/g) ?? [];
      const body = lines.map((l) => `  "${l}"`).join(" +\n");
      return [
        ts,
        `// Generated from ${wat} by scripts/gen-wasm.ts (wabt); do not edit.\n` + `export const ${name} =\n${body};\n`,
      ];
    } finally {
      mod.destroy();
    }
  });
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [path, text] of await generatedModules()) {
    const url = new URL(path, ROOT);
    if (!check) writeFileSync(url, text);
    else if (readFileSync(url, "utf8") !== text) {
      process.stderr.write(`${path} is not what its source compiles to: run npm run gen:wasm\n`);
      stale++;
    }
  }
  process.exitCode = stale ? 1 : 0;
}
