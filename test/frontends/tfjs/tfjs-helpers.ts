/** Shared helpers of the TF.js frontend tests: fixture copies in temp folders, weight patching. */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { SnncError } from "../../../src/ir/errors.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const FIXTURES = join(ROOT, "fixtures");

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "snnc-tfjs-test-"));
  temps.push(d);
  return d;
}

/** A private copy of a fixture folder; returns the path of its model.json. */
export async function fixtureCopy(name: string): Promise<string> {
  const d = join(await tempDir(), name);
  await cp(join(FIXTURES, name), d, { recursive: true });
  return join(d, "model.json");
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
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

/**
 * Assert that `p` rejects with an SnncError of `code` whose one-line message holds the file,
 * the layer (when given) and every `parts` (strings or patterns).
 */
export async function rejects(
  p: Promise<unknown>,
  o: { code: string; file: string; layer?: string; param?: string; parts: (string | RegExp)[] },
): Promise<SnncError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof SnncError, `expected an SnncError, got ${err === undefined ? "success" : String(err)}`);
  const e = err as SnncError;
  assert.equal(e.code, o.code, e.message);
  assert.equal(e.file, o.file, e.message);
  assert.ok(e.message.startsWith(`${o.file}: `), e.message);
  assert.ok(!e.message.includes("\n"), `message is not one line: ${e.message}`);
  if (o.layer !== undefined) {
    assert.equal(e.layer, o.layer, e.message);
    assert.ok(e.message.includes(`layer '${o.layer}'`), e.message);
  }
  if (o.param !== undefined) assert.equal(e.param, o.param, e.message);
  for (const part of o.parts) {
    if (typeof part === "string") assert.ok(e.message.includes(part), `"${part}" not in: ${e.message}`);
    else assert.match(e.message, part);
  }
  return e;
}
