// HDF5 for the command line without its start-up cost. h5wasm's Node.js module carries its
// WebAssembly (3.6 MB) as a string literal in a 4.2 MB JavaScript file: every process that writes
// or reads an HDF5 file parses that file, decodes it to a string, then decodes the string to bytes
// (about 0.1 s of the ≈ 0.25 s HDF5 takes to start). This writes, under `dist/h5wasm/`, the same
// module with the binary in a file of its own (`hdf5_util.wasm`, read with `readFileSync` where the
// literal was) and h5wasm's high-level module beside it unchanged, for bundle.mjs to point
// `h5wasm/node` at. The bytes are h5wasm's own: the literal is evaluated and decoded with the
// module's own decoder, and the result must be a WebAssembly binary. When h5wasm's file no longer
// has that shape, nothing is written and the bundle imports h5wasm as it is (a warning says so).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CALL = "function findWasmBinary(){return binaryDecode(";
const DECODER = /function binaryDecode\(bin\)\{[^}]*\}return o\}/;

/** The end (exclusive) of the string literal that starts at `start` (its opening quote). */
function literalEnd(src, start) {
  const quote = src[start];
  if (quote !== "'" && quote !== '"') return -1;
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === quote) return i + 1;
  }
  return -1;
}

/** Splits h5wasm's Node.js module into `outDir`; the path of its entry, or undefined (unchanged h5wasm). */
export function splitH5wasm(outDir) {
  const nodeDir = dirname(fileURLToPath(import.meta.resolve("h5wasm/node")));
  const glue = readFileSync(join(nodeDir, "hdf5_util.js"), "utf8");
  const at = glue.indexOf(CALL);
  const decoder = glue.match(DECODER);
  if (at < 0 || glue.indexOf(CALL, at + 1) >= 0 || !decoder) return undefined;
  const litStart = at + CALL.length;
  const litEnd = literalEnd(glue, litStart);
  if (litEnd < 0 || glue.slice(litEnd, litEnd + 2) !== ")}") return undefined;
  // The literal and the decoder are h5wasm's own code, run as they would run at its start.
  const binaryDecode = new Function(`${decoder[0]}; return binaryDecode;`)();
  const bytes = binaryDecode(new Function(`return ${glue.slice(litStart, litEnd)};`)());
  if (!(bytes instanceof Uint8Array) || bytes.length < 8 || !WebAssembly.validate(bytes)) return undefined;

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const read = 'readSplitWasm(new URL("./hdf5_util.wasm", import.meta.url))';
  const split = `import { readFileSync as readSplitWasm } from "node:fs";\n${glue.slice(0, at)}function findWasmBinary(){return ${read}}${glue.slice(litEnd + 2)}`;
  writeFileSync(join(outDir, "hdf5_util.js"), split);
  writeFileSync(join(outDir, "hdf5_util.wasm"), bytes);
  writeFileSync(join(outDir, "hdf5_hl.js"), readFileSync(join(nodeDir, "hdf5_hl.js")));
  writeFileSync(join(outDir, "LICENSE"), readFileSync(join(nodeDir, "../../LICENSE.txt")));
  return join(outDir, "hdf5_hl.js");
}
