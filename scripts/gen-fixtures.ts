/**
 * Writes the TF.js test models under fixtures/<name>/: model.json, weight shard(s), input.json
 * (one sample, FORMATS.md §5), and fixtures/README.md. Deterministic: a seeded PRNG, thresholds
 * calibrated by a float64 reference run so that every spiking layer fires some but not all of
 * the time on the fixture's input. Running it twice writes byte-identical files.
 *
 *   npm run gen:fixtures [-- <output folder>]
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadTfjsModel } from "../src/frontends/tfjs/load.ts";
import type { Graph } from "../src/ir/nodes.ts";
import { size } from "../src/ir/tensor.ts";
import { encodeWeights, shard } from "./gen-fixtures/encode.ts";
import { FIXTURES, type FixtureDef } from "./gen-fixtures/fixtures.ts";
import { ModelBuilder } from "./gen-fixtures/keras.ts";
import { Rng } from "./gen-fixtures/prng.ts";
import { simulate } from "./gen-fixtures/reference-sim.ts";

/** Share of compared values (neurons × steps) left above a calibrated threshold. */
const ABOVE = 0.3;

export { FIXTURES, type FixtureDef };

/** Build a fixture's model with the given thresholds (default 1). Exposed for the tests. */
export function buildModel(def: FixtureDef, thresholds: ReadonlyMap<string, number> = new Map()): ModelBuilder {
  const b = new ModelBuilder(def.kind, def.name.replace(/-/g, "_"), new Rng(def.seed));
  def.build(b, (layer) => thresholds.get(layer) ?? def.fixedThreshold ?? 1);
  return b;
}

/** The fixture's input sample, flat, row-major in the per-step input shape. */
export function inputSample(def: FixtureDef): number[] {
  const px = new Rng(def.seed + 7919).pixels(size(def.inputShape));
  return def.encoding === "spikes" ? px.map((v) => (v > 0.5 ? 1 : 0)) : px;
}

function nest(flat: number[], shape: number[]): unknown {
  if (shape.length <= 1) return flat.slice(0, shape[0] ?? 1);
  const inner = size(shape.slice(1));
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** Indented JSON with arrays of plain values kept on one line. */
function prettyJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_, body: string) => `[${body.split(/,\s+/).join(", ")}]`,
  );
}

/** Every file of a fixture, by name. */
async function files(def: FixtureDef, thresholds: ReadonlyMap<string, number>): Promise<Map<string, Uint8Array>> {
  const b = buildModel(def, thresholds);
  const enc = await encodeWeights(b.weights, def.storage ?? "float32");
  const shards = def.shardBytes ? shard(enc.data, def.shardBytes) : [enc.data];
  const paths =
    shards.length === 1 ? ["weights.bin"] : shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const model = {
    format: "layers-model",
    generatedBy: "snnc gen-fixtures",
    convertedBy: null,
    modelTopology: b.topology(def.wrapper ?? "tfjs"),
    weightsManifest: [{ paths, weights: enc.specs }],
    userDefinedMetadata: { snn: { timesteps: def.timesteps, encoding: def.encoding ?? "direct" } },
  };
  const text = (s: string) => new TextEncoder().encode(s);
  const out = new Map<string, Uint8Array>();
  out.set("model.json", text(`${prettyJson(model)}\n`));
  for (const [i, s] of shards.entries()) out.set(paths[i]!, s);
  out.set("input.json", text(`${JSON.stringify(nest(inputSample(def), def.inputShape))}\n`));
  return out;
}

async function writeFixture(dir: string, fs: Map<string, Uint8Array>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, data] of fs) await writeFile(join(dir, name), data);
}

async function loadIn(scratch: string, def: FixtureDef, thresholds: ReadonlyMap<string, number>): Promise<Graph> {
  const dir = join(scratch, def.name);
  await writeFixture(dir, await files(def, thresholds));
  return loadTfjsModel(join(dir, "model.json"));
}

function quantile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
}

/** Calibrate each spiking layer in turn (upstream thresholds fixed), then check the firing. */
async function calibrate(
  scratch: string,
  def: FixtureDef,
): Promise<{ thresholds: Map<string, number>; report: string[] }> {
  const thresholds = new Map<string, number>();
  const input = Float64Array.from(inputSample(def));
  let g = await loadIn(scratch, def, thresholds);
  if (def.runnable === false) return { thresholds, report: ["not runnable: thresholds fixed"] };
  const neurons = g.nodes.filter((n) => n.op === "neuron").map((n) => n.id);
  for (const id of neurons) {
    const trace = simulate(g, input).get(id)!;
    thresholds.set(id, Number(quantile(trace.compared, 1 - ABOVE).toPrecision(3)));
    g = await loadIn(scratch, def, thresholds);
  }
  const traces = simulate(g, input);
  const report: string[] = [];
  for (const id of neurons) {
    const t = traces.get(id)!;
    const total = t.spikesPerStep.reduce((a, b) => a + b, 0);
    const cap = t.capacity * def.timesteps;
    if (total === 0 || total >= cap)
      throw new Error(`fixture ${def.name}: layer ${id} fires ${total} of ${cap} possible spikes`);
    report.push(`${id} θ=${thresholds.get(id)} ${((100 * total) / cap).toFixed(0)}%`);
  }
  return { thresholds, report };
}

function readme(): string {
  const lines = [
    "# Test fixtures: TF.js Layers models",
    "",
    "Generated by `npm run gen:fixtures` (scripts/gen-fixtures.ts); do not edit by hand. Each folder holds",
    "`model.json` (a TF.js layers-model with `userDefinedMetadata.snn`), its weight shard(s) and `input.json`,",
    "one input sample in the FORMATS.md §5 form (`[H][W][C]`, or `[F]` for a flat input).",
    "",
    "Weights come from a seeded PRNG; thresholds are calibrated so that on `input.json` every spiking layer",
    "fires some but not all of the time. Regenerating gives byte-identical files.",
    "",
    "| fixture | T | input | weights | covers |",
    "|---|---|---|---|---|",
  ];
  for (const d of FIXTURES) {
    lines.push(
      `| \`${d.name}\` | ${d.timesteps} | [${d.inputShape.join(",")}] | ${d.storage ?? "float32"}${d.shardBytes ? ", 2 shards" : ""} | ${d.covers} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function generate(outDir: string, log: (s: string) => void = () => {}): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "snnc-fixtures-"));
  try {
    for (const def of FIXTURES) {
      const { thresholds, report } = await calibrate(scratch, def);
      await writeFixture(join(outDir, def.name), await files(def, thresholds));
      log(`${def.name}: ${report.join(", ")}`);
    }
    await writeFile(join(outDir, "README.md"), readme());
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  const out = resolve(process.argv[2] ?? "fixtures");
  await generate(out, (s) => console.log(s));
}
