/** cnn_sinabs.nir (Sinabs) all the way: NIR → IR → Loihi 2 files → the integer model runs and fires. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { driverFor } from "../../../src/driver/index.ts";
import { loadModel } from "../../../src/frontends/index.ts";
import { PAPER, patternInput } from "./nir-files.ts";

test("cnn_sinabs.nir compiles for loihi2 and its integer model runs", async () => {
  const file = join(PAPER, "cnn_sinabs.nir");
  const g = await loadModel(file);
  const T = 8;
  const inputs = [patternInput(T, g.nodes[0]!.shape!)];
  const driver = driverFor("loihi2");
  const out = await driver.compile(
    { ...g, meta: { ...g.meta, timesteps: T } },
    { target: "loihi2", file, calibration: inputs },
  );
  for (const f of ["network.net", "network.lava.json", "hwconfig.json", "report.txt"]) assert.ok(out.files.has(f), f);
  const run = driver.run!({ ...g, meta: { ...g.meta, timesteps: T } }, inputs, { target: "loihi2", file });
  const layers = new Map(run.samples[0]!.layers.map((l) => [l.name, l.total] as const));
  assert.deepEqual([...layers.keys()], ["1", "3", "6", "10", "12"]);
  for (const [name, total] of layers) if (name !== "12") assert.ok(total > 0, `layer ${name} fires on Loihi`);
});
