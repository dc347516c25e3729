#!/usr/bin/env node
// Entry point of the `snnc` command: runs the TypeScript sources through tsx's loader.
import { register } from "tsx/esm/api";

// A reader that stops early (`snnc run ... | head`) is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
