/**
 * `--shard i/n` and `snnc merge` as functions: the parts of any set cover it once, in order; the
 * merge of any split of a result equals the unsharded result byte for byte; and shards that do not
 * belong together are refused with the file named.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { mergeShards, type ShardFile } from "../../../src/driver/simulate/merge.ts";
import {
  type ResultHeader,
  resultDocument,
  resultJson,
  type SampleEntry,
  type SimulateResult,
} from "../../../src/driver/simulate/result.ts";
import { parseShard, shardRange } from "../../../src/driver/simulate/shard.ts";
import { SnncError } from "../../../src/ir/errors.ts";

describe("--shard i/n", () => {
  test("parses i/n with 1 <= i <= n", () => {
    assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
    assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
    for (const bad of ["0/4", "5/4", "2/0", "2", "a/b", "-1/4", "1/2/3", "1.5/4", ""]) {
      assert.throws(
        () => parseShard(bad),
        (e: unknown) => e instanceof SnncError && e.exitCode === 2,
        bad,
      );
    }
  });

  test("the n parts of N samples are contiguous, in order, cover every sample once and differ in size by at most 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 300 }), (total, count) => {
        let next = 0;
        const sizes: number[] = [];
        for (let index = 1; index <= count; index++) {
          const { first, end } = shardRange(total, { index, count });
          assert.equal(first, next);
          assert.ok(end >= first);
          sizes.push(end - first);
          next = end;
        }
        assert.equal(next, total);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      }),
    );
  });
});

function header(over: Partial<ResultHeader> = {}): ResultHeader {
  return {
    format: "snnc-simulate",
    version: 1,
    model: { name: "m", sha256: "0".repeat(64) },
    target: "float",
    timesteps: 4,
    run_steps: 4,
    inputs: { source: "set", samples: 0, labelled: true },
    ...over,
  };
}

const LAYERS = [
  { name: "a", neurons: 8 },
  { name: "b", neurons: 3 },
];

/** `total` samples with readouts and rates drawn from `seed` (non-dyadic, so that sums round). */
function samples(total: number, seed: number): SampleEntry[] {
  return Array.from({ length: total }, (_, index) => {
    const v = (k: number) => ((index * 7919 + k * 104729 + seed * 31) % 1000) / 997;
    const readout = [v(1), v(2), v(3)];
    return {
      index,
      name: `s${index}`,
      label: index % 3,
      predicted: readout.indexOf(Math.max(...readout)),
      readout,
      rates: [v(4) / 3, v(5) / 7],
    };
  });
}

function split(total: number, count: number, seed: number): { full: SimulateResult; parts: ShardFile[] } {
  const h = header({ inputs: { source: "set", samples: total, labelled: true } });
  const all = samples(total, seed);
  const full = resultDocument(h, LAYERS, all);
  const parts = Array.from({ length: count }, (_, i) => {
    const { first, end } = shardRange(total, { index: i + 1, count });
    const doc = resultDocument(h, LAYERS, all.slice(first, end), { index: i + 1, count, first, end });
    return { file: `part${i + 1}.json`, doc: JSON.parse(resultJson(doc)) as SimulateResult };
  });
  return { full, parts };
}

describe("snnc merge", () => {
  test("any split, merged in any order, gives the unsharded file byte for byte", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 1000 }),
        (total, count, seed) => {
          const { full, parts } = split(total, count, seed);
          const shuffled = [...parts].sort(
            (a, b) => ((a.doc.shard!.index * 37 + seed) % count) - ((b.doc.shard!.index * 37 + seed) % count),
          );
          assert.equal(resultJson(mergeShards(shuffled)), resultJson(full));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a shard's summary covers its own samples; the merge recomputes the whole set's", () => {
    const { full, parts } = split(10, 3, 1);
    assert.equal(parts[0]!.doc.summary.samples, 3); // samples 0..2 of 10 in 3 parts
    assert.equal(full.summary.samples, 10);
    assert.notEqual(JSON.stringify(parts[0]!.doc.summary.mean_rates), JSON.stringify(full.summary.mean_rates));
  });

  const refused = (parts: ShardFile[], file: string, words: RegExp) =>
    assert.throws(
      () => mergeShards(parts),
      (e: unknown) => e instanceof SnncError && e.exitCode === 3 && e.file === file && words.test(e.detail),
    );

  test("a missing part, a part given twice, a part of another split, a result without --shard", () => {
    const { full, parts } = split(10, 3, 2);
    refused([parts[0]!, parts[2]!], "part1.json", /shard 2\/3 missing/);
    refused(
      [parts[0]!, parts[1]!, { ...parts[1]!, file: "again.json" }, parts[2]!],
      "again.json",
      /also in part2\.json/,
    );
    const other = split(10, 4, 2).parts[3]!;
    refused([...parts, { ...other, file: "other.json" }], "other.json", /split into 3/);
    refused([{ file: "full.json", doc: full }], "full.json", /not a shard result/);
  });

  test("parts of different runs: another model, target or input set", () => {
    const { parts } = split(10, 2, 3);
    const edit = (f: (d: SimulateResult) => void): ShardFile => {
      const doc = JSON.parse(JSON.stringify(parts[1]!.doc)) as SimulateResult;
      f(doc);
      return { file: "edited.json", doc };
    };
    refused([parts[0]!, edit((d) => (d.model.sha256 = "1".repeat(64)))], "edited.json", /'model' differs/);
    refused([parts[0]!, edit((d) => (d.target = "loihi2"))], "edited.json", /'target' differs/);
    refused([parts[0]!, edit((d) => (d.inputs.source = "other"))], "edited.json", /'inputs' differs/);
  });

  test("a part that does not hold exactly its samples", () => {
    const { parts } = split(10, 2, 4);
    const dropped = JSON.parse(JSON.stringify(parts[1]!.doc)) as SimulateResult;
    dropped.samples.pop();
    refused([parts[0]!, { file: "short.json", doc: dropped }], "short.json", /must hold samples 5\.\.9/);
    const moved = JSON.parse(JSON.stringify(parts[1]!.doc)) as SimulateResult;
    moved.shard!.first = 4;
    refused([parts[0]!, { file: "moved.json", doc: moved }], "moved.json", /is 5\.\.9/);
  });
});
