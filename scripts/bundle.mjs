// Bundles the command line that bin/snnc.js runs: the JavaScript tsc wrote to dist/ (no TypeScript
// is read here) into dist/bundle/, one module per entry point and shared chunks for the code that
// commands load only when they run (their dynamic imports). Node.js then resolves and compiles a
// handful of files at start-up instead of every module of the program, which is most of what a
// small command costs. Dependencies stay in node_modules (not bundled). The worker threads are
// entry points of their own, beside the chunks that start them (they are found by import.meta.url),
// and dist/bundle/ is as deep under the package as every other dist/<dir>/, so the relative paths
// the program reads its files by (targets/, schemas, validators, the digits) still hold. Run by
// `npm run build` after tsc. HDF5 (h5wasm) is the one dependency not imported from node_modules: the
// bundle imports the copy h5wasm-split.mjs writes to dist/h5wasm/, whose WebAssembly is a file of
// its own instead of a string literal to parse and decode at every start.
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { splitH5wasm } from "./h5wasm-split.mjs";

const outdir = "dist/bundle";
rmSync(outdir, { recursive: true, force: true });
const h5wasm = splitH5wasm("dist/h5wasm");
if (!h5wasm) console.warn("bundle: h5wasm's module has a shape this build does not know; it is imported as it is");
/** `h5wasm/node` → dist/h5wasm/ (every chunk lies in dist/bundle/, so one relative path serves all). */
const splitHdf5 = {
  name: "h5wasm-split",
  setup(b) {
    if (h5wasm) b.onResolve({ filter: /^h5wasm\/node$/ }, () => ({ path: "../h5wasm/hdf5_hl.js", external: true }));
  },
};
await build({
  entryPoints: {
    main: "dist/cli/main.js",
    "worker-float": "dist/driver/simulate/worker-float.js",
    "worker-target": "dist/driver/simulate/worker-target.js",
    "agreement-worker": "dist/loihi/agreement-worker.js",
    "stepped-worker": "dist/loihi/sim/stepped-worker.js",
    "reference-worker": "dist/sim/reference-worker.js",
    "hdf5-read-worker": "dist/frontends/nir/hdf5-read-worker.js",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  plugins: [splitHdf5],
  chunkNames: "chunk-[hash]",
  legalComments: "none",
  logLevel: "error",
});
