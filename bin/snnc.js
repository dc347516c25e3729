#!/usr/bin/env node
// Entry point of the `snnc` command: runs the compiled JavaScript in dist/bundle/ (built by `npm run
// build`, which `npm ci` runs through the package's `prepare` script).
import { existsSync } from "node:fs";

// A reader that stops early (`snnc run ... | head`) is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

const entry = new URL("../dist/bundle/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("snnc: error: the compiled program is missing (dist/); run 'npm run build' in the package\n");
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
