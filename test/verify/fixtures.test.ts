/** Every fixture in fixtures/: the float target verifies with 0 differing spikes, and its output re-imports. */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { driverFor } from "../../src/driver/index.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { loadModel } from "../../src/frontends/index.ts";
import { graphFromJson } from "../../src/ir/serialize.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { readInputs } from "../../src/inputs/read-inputs.ts";
import type { VerifyReport } from "../../src/verify/report.ts";
import { compareGraphs } from "../support/check.ts";

const root = new URL("../../fixtures/", import.meta.url);
const fixtures = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/model.json`, root)))
  .map((d) => d.name)
  .sort();
/** Fixtures that hold a construct snnc refuses by design, with the refusal expected. */
const REFUSED: Record<string, RegExp> = {
  "pspnorm-ln": /PSPNorm mode "ln" normalises over C×H×W×T of the sample itself/,
};

describe("float target on every fixture", () => {
  it("finds the fixtures", () => {
    assert.ok(fixtures.length >= 10, `only ${fixtures.length} fixtures found`);
  });

  for (const name of fixtures) {
    const path = new URL(`${name}/model.json`, root).pathname;
    const load = async () => {
      const g = await loadModel(path);
      return { g, inputs: [...readInputs(new URL(`${name}/input.json`, root).pathname, g), ...randomInputs(g, 4, 11)] };
    };
    if (REFUSED[name]) {
      it(`${name}: refused with a clear message`, async () => {
        const { g, inputs } = await load();
        await assert.rejects(
          driverFor("float").verify(g, { target: "float", inputs, file: path }),
          (e: unknown) => e instanceof SnncError && e.code === "E_UNSUPPORTED" && REFUSED[name]!.test(e.message),
        );
      });
      continue;
    }
    it(`${name}: verify reports 0 differing spikes; model.snnc.json re-imports and runs to identical spikes`, async () => {
      const { g, inputs } = await load();
      const r = (await driverFor("float").verify(g, {
        target: "float",
        inputs,
        file: path,
      })) as unknown as VerifyReport;
      assert.equal(r.spikesDiffering, 0, JSON.stringify(r.divergences));
      assert.ok(r.ok && r.spikesCompared > 0);
      assert.ok(
        r.perLayer.some((l) => l.refSpikes > 0),
        "the fixture never fires",
      );
      const c = await driverFor("float").compile(g, { target: "float", file: path });
      const back = graphFromJson(c.files.get("model.snnc.json") as string, "model.snnc.json");
      const same = compareGraphs(c.graph, back, inputs);
      assert.equal(same.spikesDiffering, 0);
      assert.equal(same.readoutMaxAbsDiff ?? 0, 0, "the re-imported model must run bit for bit like the compiled one");
      assert.equal(compareGraphs(g, back, inputs).spikesDiffering, 0);
    });
  }
});
