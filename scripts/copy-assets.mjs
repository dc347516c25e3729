// Copies the JSON schemas that the compiled code reads at run time from src/ to dist/ (same relative paths).
import { cpSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function copyJson(from, to) {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) copyJson(src, join(to, name));
    else if (name.endsWith(".json")) cpSync(src, join(to, name));
  }
}
copyJson("src", "dist");
