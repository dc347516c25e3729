/**
 * Reads every target description in targets/ (one JSON file per target, validated against
 * targets/target.schema.json). Adding a file adds a target: no code change needed. A directory given
 * instead of targets/ holds target files only: they follow the package's schema.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shippedValidator } from "../util/json-schema.ts";
import { SnncError } from "../ir/errors.ts";
import type { TargetSpec } from "./target.ts";

/** The targets/ directory of the package. */
export const TARGETS_DIR = fileURLToPath(new URL("../../targets/", import.meta.url));
const SCHEMA_FILE = "target.schema.json";

const cache = new Map<string, TargetSpec[]>();

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new SnncError("E_IO", `cannot read target description: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SnncError("E_PARSE", `not JSON: ${(e as Error).message}`, { file });
  }
}

/** Every target in `dir` (default: the package's targets/), sorted by name. */
export function loadTargets(dir: string = TARGETS_DIR): TargetSpec[] {
  const hit = cache.get(dir);
  if (hit) return hit;
  const validate = shippedValidator("target");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== SCHEMA_FILE)
    .sort();
  const out: TargetSpec[] = [];
  const names = new Map<string, string>();
  for (const f of files) {
    const file = join(dir, f);
    const data = readJson(file);
    if (!validate(data)) {
      const e = validate.errors![0]!;
      throw new SnncError(
        "E_SCHEMA",
        `${e.instancePath || "/"} ${e.message}${validate.errors!.length > 1 ? ` (and ${validate.errors!.length - 1} more)` : ""}`,
        { file: f },
      );
    }
    const t = { ...(data as TargetSpec), file: f };
    checkConsistent(t, f);
    for (const n of [t.name, ...(t.aliases ?? [])]) {
      const prev = names.get(n);
      if (prev) throw new SnncError("E_SCHEMA", `target name '${n}' is also used by ${prev}`, { file: f });
      names.set(n, f);
    }
    out.push(t);
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  cache.set(dir, out);
  return out;
}

/** Checks the schema cannot express: ordered ranges, an existing default board. */
function checkConsistent(t: TargetSpec, file: string): void {
  const a = t.arithmetic;
  const ranges: [string, [number, number] | undefined][] = [
    ["arithmetic.biasExponentRange", a.biasExponentRange],
    ["arithmetic.weightRanges.excitatory", a.weightRanges.excitatory],
    ["arithmetic.weightRanges.mixed", a.weightRanges.mixed],
    ["arithmetic.weightRanges.inhibitory", a.weightRanges.inhibitory],
    ["arithmetic.weightExponentRange", a.weightExponentRange],
    ["arithmetic.delayRange", a.delayRange],
  ];
  for (const [name, r] of ranges) {
    if (r && r[0] > r[1]) throw new SnncError("E_SCHEMA", `range [${r.join(", ")}] is empty`, { file, param: name });
  }
  if (
    a.weightRanges.excitatory[0] < 0 ||
    a.weightRanges.inhibitory[1] >= 0 ||
    a.weightRanges.mixed[0] >= 0 ||
    a.weightRanges.mixed[1] <= 0
  ) {
    throw new SnncError("E_SCHEMA", "weight ranges must be excitatory >= 0, inhibitory < 0 and mixed spanning 0", {
      file,
      param: "arithmetic.weightRanges",
    });
  }
  if (t.features.delays && !a.delayRange)
    throw new SnncError("E_SCHEMA", "features.delays is true but arithmetic.delayRange is missing", { file });
  if (t.features.gradedSpikes !== a.gradedSpikeBits > 0) {
    throw new SnncError(
      "E_SCHEMA",
      `features.gradedSpikes is ${t.features.gradedSpikes} but arithmetic.gradedSpikeBits is ${a.gradedSpikeBits}`,
      { file },
    );
  }
  if (!t.boards.some((b) => b.name === t.defaultBoard)) {
    throw new SnncError(
      "E_SCHEMA",
      `defaultBoard '${t.defaultBoard}' is not one of the boards (${t.boards.map((b) => b.name).join(", ")})`,
      { file },
    );
  }
}

/** The target answering to `name` (its name or an alias); `loihi` means loihi2. */
export function loadTarget(name: string, dir?: string): TargetSpec {
  const all = loadTargets(dir);
  const t = all.find((x) => x.name === name || (x.aliases ?? []).includes(name));
  if (!t) {
    throw new SnncError(
      "E_USAGE",
      `unknown hardware target '${name}' (known: ${all.flatMap((x) => [x.name, ...(x.aliases ?? [])]).join(", ")})`,
    );
  }
  return t;
}

export interface TargetSummary {
  name: string;
  aliases: string[];
  family: string;
  description: string;
  neuronsPerCore: number;
  coresPerChip: number;
  boards: { name: string; chips: number }[];
  defaultBoard: string;
  features: string[];
  file: string;
}

/** One line of data per target, for `snnc targets`. */
export function listTargets(dir?: string): TargetSummary[] {
  return loadTargets(dir).map((t) => ({
    name: t.name,
    aliases: t.aliases ?? [],
    family: t.family,
    description: t.description,
    neuronsPerCore: t.core.neurons,
    coresPerChip: t.chip.cores,
    boards: t.boards.map((b) => ({ name: b.name, chips: b.chips })),
    defaultBoard: t.defaultBoard,
    features: Object.entries(t.features)
      .filter(([, v]) => v)
      .map(([k]) => k),
    file: t.file!,
  }));
}
