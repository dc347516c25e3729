/**
 * Fuzz cases: a seed model (and its inputs) with one file mutated, and an snnc command to run on
 * it. A case is a pure function of (run seed, case number, corpus), so any failure is reproduced
 * by its numbers alone.
 */
import { Rng, mutateBytes, mutateJsonText, mutateNpy } from "./mutate.ts";
import type { ModelSeed } from "./seeds.ts";

/** A seed's files, read once: the model folder, its inputs, and the folded .snnc.json. */
export interface Corpus {
  seed: ModelSeed;
  /** The model's folder: file name → bytes (model.json and shards, or the one model file). */
  modelFiles: Map<string, Buffer>;
  inputJson?: Buffer;
  inputNpy?: Buffer;
  /** The model compiled with --target float (tfjs seeds whose compile succeeds). */
  snncJson?: Buffer;
}

export interface FuzzCase {
  index: number;
  seed: string;
  /** Which file was mutated, and how. */
  mutated: string;
  what: string;
  /** Files to write, relative to the case folder. */
  files: Map<string, Buffer>;
  /** snnc's arguments; `{case}` stands for the case folder. */
  args: string[];
  /** An old output exists in `{case}/out` before the command runs. */
  oldOutput: boolean;
}

const MODEL_COMMANDS: readonly [number, (m: string) => string[]][] = [
  [3, (m) => ["inspect", m]],
  [3, (m) => ["run", m, "--random", "1"]],
  [2, (m) => ["compile", m, "--target", "float", "-o", "{case}/out"]],
  [2, (m) => ["compile", m, "--target", "loihi", "-o", "{case}/out"]],
  [1, (m) => ["compile", m, "--target", "nir", "-o", "{case}/out"]],
  [1, (m) => ["verify", m, "--target", "float", "--random", "1"]],
  [1.5, (m) => ["verify", m, "--target", "loihi", "--random", "1"]],
  [1, (m) => ["report", m, "--samples", "1", "-o", "{case}/report.html"]],
];

const INPUT_COMMANDS: readonly [number, (m: string, i: string) => string[]][] = [
  [4, (m, i) => ["run", m, "--input", i]],
  [1, (m, i) => ["verify", "--input", i, m, "--target", "float"]],
  [1, (m, i) => ["verify", m, "--target", "loihi", "--input", i]],
  [1, (m, i) => ["run", m, "--target", "loihi", "--input", i]],
  [1, (m, i) => ["simulate", m, "--inputs", i, "--workers", "1", "-o", "{case}/sim.json"]],
  [1, (m, i) => ["report", m, "--input", i, "-o", "{case}/report.html"]],
];

type Kind = "model" | "shard" | "snnc" | "input-json" | "input-npy" | "none";

export function makeCase(runSeed: number, index: number, corpora: readonly Corpus[]): FuzzCase {
  const rng = new Rng((Math.imul(runSeed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index, 0x85ebca6b)) >>> 0);
  const c = rng.pick(corpora);
  const files = new Map<string, Buffer>();
  for (const [name, bytes] of c.modelFiles) files.set(`m/${name}`, bytes);
  if (c.inputJson) files.set("input.json", c.inputJson);
  if (c.inputNpy) files.set("input.npy", c.inputNpy);
  if (c.snncJson) files.set("model.snnc.json", c.snncJson);

  const shards = [...c.modelFiles.keys()].filter((f) => f !== c.seed.model);
  const kinds: [number, Kind][] = [
    [c.seed.kind === "tfjs" ? 6 : 8, "model"],
    [shards.length ? 2 : 0, "shard"],
    [c.snncJson ? 2 : 0, "snnc"],
    [c.inputJson ? 2 : 0, "input-json"],
    [c.inputNpy ? 2 : 0, "input-npy"],
    [0.5, "none"],
  ];
  const kind = kinds[rng.weighted(kinds.map((k) => k[0]))]![1];
  let model = `{case}/m/${c.seed.model}`;
  let mutated = "nothing";
  let what = "";
  const mutate = (file: string, how: (b: Buffer) => { data: Buffer; what: string }) => {
    const r = how(files.get(file)!);
    files.set(file, r.data);
    mutated = file;
    what = r.what;
  };
  const json = (b: Buffer) => {
    const r = mutateJsonText(b.toString("utf8"), rng);
    return { data: Buffer.from(r.text, "utf8"), what: r.what };
  };
  switch (kind) {
    case "model":
      mutate(`m/${c.seed.model}`, c.seed.kind === "tfjs" ? json : (b) => mutateBytes(b, rng));
      break;
    case "shard":
      mutate(`m/${rng.pick(shards)}`, (b) => mutateBytes(b, rng));
      break;
    case "snnc":
      model = "{case}/model.snnc.json";
      mutate("model.snnc.json", json);
      break;
    case "input-json":
      mutate("input.json", json);
      break;
    case "input-npy":
      mutate("input.npy", (b) => mutateNpy(b, rng));
      break;
    case "none":
      break;
  }
  let args: string[];
  if (kind === "input-json" || kind === "input-npy" || (kind === "none" && c.inputJson && rng.chance(0.3))) {
    const input = kind === "input-npy" ? "{case}/input.npy" : "{case}/input.json";
    args = INPUT_COMMANDS[rng.weighted(INPUT_COMMANDS.map((x) => x[0]))]![1](model, input);
  } else {
    args = MODEL_COMMANDS[rng.weighted(MODEL_COMMANDS.map((x) => x[0]))]![1](model);
  }
  const writes = args.includes("{case}/out");
  return { index, seed: c.seed.name, mutated, what, files, args, oldOutput: writes && rng.chance(0.5) };
}
