/**
 * Weights stored as they are (float32, int32, bool) are decoded by snnc; they must be what
 * `tf.io.decodeWeights` gives for the same bytes, whatever the bytes, the order of the weights and
 * the split into shards. A model with such weights only must not load TF.js at all.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { readWeights } from "../../../src/frontends/tfjs/weights.ts";
import { decodePlain, isPlain } from "../../../src/frontends/tfjs/weights-plain.ts";

const tfLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("tfjs-core"));

interface Entry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  quantization?: { dtype: "uint8"; min: number; scale: number };
}

const BYTES = { float32: 4, int32: 4, bool: 1 } as const;

const entry = (i: number) =>
  fc
    .record({
      shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      dtype: fc.constantFrom("float32", "int32", "bool") as fc.Arbitrary<Entry["dtype"]>,
    })
    .map((e): Entry => ({ name: `layer${i}/w`, ...e }));

/** A group of weights and random bytes for them, cut into shards at random places. */
const group = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => entry(i))))
  .chain((specs) => {
    const bytes = specs.reduce((a, s) => a + s.shape.reduce((x, d) => x * d, 1) * BYTES[s.dtype], 0);
    return fc.record({
      specs: fc.constant(specs),
      bytes: fc.uint8Array({ minLength: bytes, maxLength: bytes + 3 }),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes - 1) }), { maxLength: 3 }),
    });
  });

/** The shard files of `bytes` cut at `cuts`, in `dir`: model.json's path and the shards' names. */
async function writeShards(
  dir: string,
  bytes: Uint8Array,
  cuts: number[],
): Promise<{ model: string; paths: string[] }> {
  const at = [0, ...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length];
  const paths: string[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    paths.push(`shard${i}.bin`);
    await writeFile(join(dir, paths[i]!), bytes.subarray(at[i], at[i + 1]));
  }
  return { model: join(dir, "model.json"), paths };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "snnc-weights-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("weights stored as they are", () => {
  test("are decoded without loading TF.js", async () => {
    const specs: Entry[] = [
      { name: "a/kernel", shape: [3], dtype: "bool" },
      { name: "a/bias", shape: [2], dtype: "float32" },
      { name: "b/k", shape: [1], dtype: "int32" },
    ];
    const f = new Float32Array([-0, 1.5]);
    const bytes = new Uint8Array([1, 0, 2, ...new Uint8Array(f.buffer), 0xfe, 0xff, 0xff, 0xff]);
    const { model, paths } = await writeShards(dir, bytes, []);
    const w = await readWeights([{ paths, weights: specs }], model);
    assert.equal(tfLoaded(), false);
    assert.deepEqual(Array.from(w.get("a/kernel")!.data), [1, 0, 2]);
    assert.ok(Object.is(w.get("a/bias")!.data[0], -0));
    assert.equal(w.get("a/bias")!.data[1], 1.5);
    assert.deepEqual(Array.from(w.get("b/k")!.data), [-2]);
    assert.equal(w.get("b/k")!.storedAs, "int32");
  });

  test("a group of empty weights needs no shard file", async () => {
    const specs: Entry[] = [{ name: "a/w", shape: [0, 3], dtype: "float32" }];
    const w = await readWeights([{ paths: [], weights: specs }], join(dir, "model.json"));
    assert.equal(w.get("a/w")!.data.length, 0);
    assert.deepEqual(w.get("a/w")!.shape, [0, 3]);
  });

  test("only unquantised float32, int32 and bool are read without TF.js", () => {
    assert.ok(isPlain({ shape: [1], dtype: "float32" }));
    assert.ok(!isPlain({ shape: [1], dtype: "float32", quantization: { dtype: "float16" } }));
    assert.ok(!isPlain({ shape: [1], dtype: "string" }));
    assert.ok(!isPlain({ shape: [1], dtype: "complex64" }));
  });

  test("an unaligned float32 reads as the aligned one", () => {
    const f = new Float32Array([Math.PI, -1e-40, Number.NaN, -Infinity]);
    const shifted = new Uint8Array(17);
    shifted.set(new Uint8Array(f.buffer), 1);
    const a = decodePlain(new Uint8Array(f.buffer), 0, 4, "float32");
    const b = decodePlain(shifted, 1, 4, "float32");
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.deepEqual(Array.from(a), Array.from(f));
  });

  test("random groups decode as tf.io.decodeWeights decodes them", async () => {
    const { tf } = await import("../../../src/frontends/tfjs/tf.ts");
    let n = 0;
    await fc.assert(
      fc.asyncProperty(group, async ({ specs, bytes, cuts }) => {
        const sub = join(dir, `g${n++}`);
        await mkdir(sub);
        const { model, paths } = await writeShards(sub, bytes, cuts);
        const got = await readWeights([{ paths, weights: specs }], model);
        const want = tf.io.decodeWeights(bytes.slice().buffer, specs);
        for (const s of specs) {
          const expected = Array.from(want[s.name]!.dataSync() as ArrayLike<number>);
          assert.deepEqual(Array.from(got.get(s.name)!.data), expected, s.name);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("a group with one quantised weight is decoded by TF.js, the plain ones with it", async () => {
    const specs: Entry[] = [
      { name: "a/w", shape: [2], dtype: "float32", quantization: { dtype: "uint8", min: -1, scale: 0.1 } },
      { name: "b/w", shape: [1], dtype: "float32" },
    ];
    const bytes = new Uint8Array([0, 20, 0, 0, 0xc0, 0x3f]);
    const { model, paths } = await writeShards(dir, bytes, []);
    const w = await readWeights([{ paths, weights: specs }], model);
    assert.deepEqual(Array.from(w.get("a/w")!.data), [-1, Math.fround(20 * 0.1 + -1)]);
    assert.equal(w.get("a/w")!.storedAs, "uint8");
    assert.deepEqual(Array.from(w.get("b/w")!.data), [1.5]);
  });
});
