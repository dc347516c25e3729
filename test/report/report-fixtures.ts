/**
 * The models the report tests run on: a few shipped fixtures that cover the Loihi lowerings, and
 * every model under fixtures/digits-* (the trained fixtures: a new one is picked up with no edit).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/cli.ts";

/** A model file's name: model.json (TF.js), model*.onnx, *.nir or *.snnc.json. */
const MODEL_FILE = /^(model\.json|model[\w-]*\.onnx|[\w-]+\.nir|[\w-]+\.snnc\.json)$/;

/** Every model file of every fixtures/digits-* folder (paths relative to the repository root). */
export function digitsModels(): string[] {
  const dir = join(ROOT, "fixtures");
  const out: string[] = [];
  for (const d of readdirSync(dir).sort()) {
    if (!d.startsWith("digits-")) continue;
    for (const f of readdirSync(join(dir, d)).sort()) if (MODEL_FILE.test(f)) out.push(`fixtures/${d}/${f}`);
  }
  return out;
}

/** The digits-* folders that hold no model file (each should hold one). */
export function digitsFoldersWithoutModel(): string[] {
  const dir = join(ROOT, "fixtures");
  return readdirSync(dir)
    .filter((d) => d.startsWith("digits-"))
    .filter((d) => !readdirSync(join(dir, d)).some((f) => MODEL_FILE.test(f)))
    .sort();
}

/**
 * Shipped fixtures covering what the report draws: tdbn (the demo), mpbn-channel (per-channel
 * thresholds and state offsets), mt-lif (graded multi-threshold spikes), bntt (a gain stage).
 */
export const COVERAGE_MODELS = [
  "fixtures/tdbn/model.json",
  "fixtures/mpbn-channel/model.json",
  "fixtures/mt-lif/model.json",
  "fixtures/bntt/model.json",
];
