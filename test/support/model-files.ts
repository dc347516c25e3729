/** Model files for frontend tests: private fixture copies in temp folders, JSON edits, weight patches. */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";
import { ROOT } from "./cli.ts";

export const FIXTURES = join(ROOT, "fixtures");

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "snnc-model-test-"));
  temps.push(d);
  return d;
}

/** A private copy of a fixture folder; returns the path of its model.json. */
export async function fixtureCopy(name: string): Promise<string> {
  const d = join(await tempDir(), name);
  await cp(join(FIXTURES, name), d, { recursive: true });
  return join(d, "model.json");
}

/**
 * A parsed model.json (or any JSON) that a test walks and edits at will.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into and corrupt arbitrary paths of model files; a typed walk would restate the whole format
export type AnyJson = any;

export async function readJson(path: string): Promise<AnyJson> {
  return JSON.parse(await readFile(path, "utf8"));
}

export async function editJson(path: string, edit: (j: AnyJson) => void): Promise<void> {
  const j = await readJson(path);
  edit(j);
  await writeFile(path, JSON.stringify(j));
}

/** The layer list of a model.json in either topology wrapper. */
export function layersOf(j: AnyJson): AnyJson[] {
  const t = j.modelTopology.model_config ?? j.modelTopology;
  return t.config.layers;
}

export function layerConfig(j: AnyJson, name: string): AnyJson {
  const l = layersOf(j).find((x: AnyJson) => (x.config?.name ?? x.name) === name);
  assert.ok(l, `no layer ${name}`);
  return l.config;
}

/** Byte offset of a float32 weight in its group's byte stream (single group, unquantised). */
export function weightOffset(j: AnyJson, weight: string): number {
  let o = 0;
  for (const s of j.weightsManifest[0].weights) {
    if (s.name === weight) return o;
    o += 4 * s.shape.reduce((a: number, b: number) => a * b, 1);
  }
  throw new Error(`no weight ${weight}`);
}

/** Overwrite one float32 value of a weight in weights.bin. */
export async function patchFloat(modelPath: string, weight: string, index: number, value: number): Promise<void> {
  const j = await readJson(modelPath);
  const bin = join(dirname(modelPath), j.weightsManifest[0].paths[0]);
  const buf = await readFile(bin);
  buf.writeFloatLE(value, weightOffset(j, weight) + 4 * index);
  await writeFile(bin, buf);
}
