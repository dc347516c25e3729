/**
 * What the fuzz suite mutates. Every TF.js fixture (fixtures/<name>/model.json with its weight
 * shards and input.json) is found on its own; from each the suite also derives a .npy input and
 * the folded `.snnc.json` (written by `compile --target float` when the run starts).
 *
 * The other readers' seed model files are listed below (paths from the repository root): each is
 * mutated byte-wise and run through the same commands, with the input.json beside it when there
 * is one. NIR files of three writers (snnc, snnTorch, the NIR paper's) and two ONNX models; the
 * NIR paper's CNN (cnn_sinabs.nir, chunked and compressed) is left out of the list because a
 * `verify` of it takes up to 16 s, near a case's budget: `npm run fuzz -- --seed-file <path>` adds
 * it, or any seed, for one run.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export const EXTRA_MODEL_SEEDS: readonly string[] = [
  "fixtures/nir-snnc/mpbn-channel.nir",
  "fixtures/nir-snntorch/snntorch_rleaky.nir",
  "fixtures/nir-paper/braille_noDelay_bias_zero.nir",
  "fixtures/onnx-tab/model.onnx",
  "fixtures/onnx-residual/model.onnx",
];

export interface ModelSeed {
  /** Short name used in reports. */
  name: string;
  /** "tfjs": a model.json folder; "file": a single model file, mutated as bytes. */
  kind: "tfjs" | "file";
  /** Absolute folder of the seed. */
  dir: string;
  /** The model's file name inside `dir`. */
  model: string;
  /** Absolute path of a JSON input for the model, when there is one. */
  input?: string;
}

export function modelSeeds(root: string, extra: readonly string[] = []): ModelSeed[] {
  const fixtures = join(root, "fixtures");
  const out: ModelSeed[] = [];
  for (const name of readdirSync(fixtures).sort()) {
    const dir = join(fixtures, name);
    if (!existsSync(join(dir, "model.json"))) continue;
    const input = join(dir, "input.json");
    out.push({ name, kind: "tfjs", dir, model: "model.json", input: existsSync(input) ? input : undefined });
  }
  for (const rel of [...EXTRA_MODEL_SEEDS, ...extra]) {
    const file = join(root, rel);
    const input = join(dirname(file), "input.json");
    out.push({
      name: rel,
      kind: "file",
      dir: dirname(file),
      model: basename(file),
      input: existsSync(input) ? input : undefined,
    });
  }
  return out;
}
