/**
 * Sizes, counts and exponents past what snnc can hold are one-line errors with the limit stated
 * (exit 3 for a file, 2 for an option), found before anything large is allocated or run: no hang,
 * no exit 70 (docs/ROBUSTNESS.md, "Limits").
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { LIMITS } from "../../src/ir/limits.ts";
import { editJson, FIXTURES, fixtureCopy, layerConfig, layersOf, tempDir } from "../support/model-files.ts";
import { oneErrorLine, runMain } from "./in-process.ts";

async function expectError(args: string[], code: number, ...parts: string[]): Promise<void> {
  const r = await runMain(args);
  const line = oneErrorLine(r.stderr);
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.ok(line, `not one error line: ${r.stderr}`);
  for (const p of parts) assert.ok(line.includes(p), `'${p}' not in: ${line}`);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
}

async function withTimesteps(fixture: string, T: number): Promise<string> {
  const p = await fixtureCopy(fixture);
  await editJson(p, (j) => {
    j.userDefinedMetadata.snn.timesteps = T;
  });
  return p;
}

describe("timesteps", () => {
  test("T = 100000 is refused at once, with the limit (it compiled for minutes)", async () => {
    const p = await withTimesteps("tdbn", 100_000);
    await expectError(["compile", p, "--target", "loihi", "-o", join(await tempDir(), "out")], 3, p, "100000", "1000");
  });

  test("T = 1e308 is refused, inspect included", async () => {
    const p = await withTimesteps("tdbn", 1e308);
    await expectError(["inspect", p], 3, p, "1e+308");
  });

  test("T = 1e9 with a state offset: exit 3, not an internal error", async () => {
    const p = await withTimesteps("mpbn-channel", 1e9);
    await expectError(["verify", p, "--target", "loihi"], 3, p, "timesteps");
  });

  test("T at the limit is accepted", async () => {
    const p = await withTimesteps("mlp-dense", LIMITS.timesteps);
    const r = await runMain(["inspect", p]);
    assert.equal(r.code, 0, r.stderr);
  });

  test("--timesteps past the limit is a usage error", async () => {
    const m = join(FIXTURES, "tdbn", "model.json");
    await expectError(["run", m, "--random", "1", "--timesteps", "1000000000"], 2, "--timesteps", "1000");
    await expectError(["verify", m, "--timesteps", "5000"], 2, "--timesteps");
  });

  test("--random past the sample limit is a usage error", async () => {
    await expectError(["run", join(FIXTURES, "tdbn", "model.json"), "--random", "1e9"], 2, "--random");
  });
});

describe("windows and shapes", () => {
  test("dilation 1e9 after a pooling: inspect and verify refuse it (verify crashed with exit 70)", async () => {
    const p = await fixtureCopy("tdbn");
    await editJson(p, (j) => {
      layerConfig(j, "conv2").dilation_rate = [1e9, 1e9];
    });
    await expectError(["inspect", p], 3, p, "conv2", "dilation_rate");
    await expectError(["verify", p, "--target", "loihi"], 3, p, "conv2", "dilation_rate");
  });

  test("a dilated window wider than the limit", async () => {
    const p = await fixtureCopy("tdbn");
    await editJson(p, (j) => {
      layerConfig(j, "conv1").dilation_rate = [1000, 1000];
    });
    await expectError(["inspect", p], 3, "conv1", "window");
  });

  test("strides and pool sizes of 1e9", async () => {
    for (const [layer, key] of [
      ["conv1", "strides"],
      ["avg_pool", "pool_size"],
      ["avg_pool", "strides"],
    ] as const) {
      const p = await fixtureCopy("tdbn");
      await editJson(p, (j) => {
        layerConfig(j, layer)[key] = [1e9, 1e9];
      });
      await expectError(["inspect", p], 3, layer, key);
    }
  });

  test("an input of 1e5 × 1e5 pixels is refused before anything is allocated", async () => {
    const p = await fixtureCopy("tdbn");
    await editJson(p, (j) => {
      layersOf(j)[0].config.batch_input_shape = [null, 1e5, 1e5, 1];
    });
    await expectError(["run", p, "--random", "1"], 3, p, "elements");
  });

  test("T × neurons past the limit", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      j.userDefinedMetadata.snn.timesteps = LIMITS.timesteps;
      layersOf(j)[0].config.batch_input_shape = [null, 40_000];
      j.weightsManifest[0].weights[0].shape = [40_000, 12];
    });
    await expectError(["inspect", p], 3, p);
  });
});

describe("weights", () => {
  test("a manifest weight of 1e12 elements is refused before its shard is read", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      j.weightsManifest[0].weights[0].shape = [1e6, 1e6];
    });
    await expectError(["inspect", p], 3, p, "dense1/kernel", "elements");
  });

  test("shard sizes are compared with the manifest from the file lengths", async () => {
    const p = await fixtureCopy("mlp-dense");
    await writeFile(join(p, "..", "weights.bin"), Buffer.alloc(10));
    await expectError(["inspect", p], 3, p, "truncated weights", "10 bytes");
  });
});
