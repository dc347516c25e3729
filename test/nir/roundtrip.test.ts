/**
 * NIR written by snnc, read back by snnc: every parameter bit-identical and every spike the same, for
 * the fixture models (folded), for the NIR files of other tools, and for random graphs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { loadModel } from "../../src/frontends/index.ts";
import { compileNir } from "../../src/nir/driver.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { digitsModel } from "../support/digits-model.ts";
import { Src } from "../support/gen.ts";
import { FIXTURES } from "../support/model-files.ts";
import { recurrentGraph, randomGraph } from "./random-graphs.ts";
import { assertSameParameters, assertSameSpikes, roundTrip } from "./roundtrip.ts";

describe("fixture models, folded, through NIR", () => {
  for (const name of ["mpbn-channel", "tdbn", "plif", "pspnorm", "residual-add", "time-distributed"]) {
    test(`${name}: the model as written (model.json) and the folded model read back from NIR fire the same spikes`, async () => {
      const file = join(FIXTURES, name, "model.json");
      const g = await loadModel(file);
      const { graph: folded } = await compileNir(g, { target: "nir", file });
      const { back, names } = await roundTrip(folded);
      assert.ok(assertSameParameters(folded, back, names) >= 3);
      const inputs = randomInputs(g, 3, 11);
      assertSameSpikes(folded, back, inputs, names);
      // The folds round the currents (not the spikes): the readouts of the model as written agree to 1e-12.
      assert.ok(assertSameSpikes(g, back, inputs, names, 1e-12) > 0, "the model fires");
    });
  }
});

describe("NIR files of other tools, written again by snnc", () => {
  const PAPER = join(FIXTURES, "nir-paper");
  for (const [file, opts] of [
    [join(PAPER, "cnn_sinabs.nir"), {}],
    [join(PAPER, "braille_noDelay_bias_zero.nir"), {}],
    [join(PAPER, "braille_noDelay_noBias_subtract.nir"), { dt: 1.5e-4 }],
    [join(PAPER, "lif_norse.nir"), { dtMethod: "exp" as const }],
    [join(PAPER, "two_lif_neurons.nir"), {}],
    [join(FIXTURES, "nir-snntorch", "snntorch_rleaky.nir"), {}],
  ] as const) {
    test(`${file.split("/").pop()} ${JSON.stringify(opts)}`, async () => {
      const read = await loadModel(file, opts);
      const g = { ...read, meta: { ...read.meta, timesteps: 30 } };
      const { back, names } = await roundTrip(g);
      assert.deepEqual(back.meta.timeStep, g.meta.timeStep, "the time step is stated in the file");
      assertSameParameters(g, back, names);
      assertSameSpikes(g, back, randomInputs(g, 2, 5), names);
    });
  }
});

describe("random graphs", () => {
  for (const [what, make] of [
    ["feed-forward", randomGraph],
    ["recurrent", recurrentGraph],
  ] as const) {
    test(`${what}: written and read back, bit-identical parameters and identical spikes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), async (seed) => {
          const s = new Src(seed, "float");
          const g = make(s);
          const { back, names } = await roundTrip(g);
          assertSameParameters(g, back, names);
          assertSameSpikes(g, back, s.inputs(g, 2), names);
        }),
        { numRuns: 40, seed: 20250101, verbose: 1 },
      );
    });
  }
});

test("layer ids that are no HDF5 link name or object key ('.', '..', '__proto__', '/', NUL) get NIR names of their own", async () => {
  const g0 = inferShapes(digitsModel());
  const ids = [".", "..", "__proto__", "a/b", "x\0y", "a_b"];
  const rename = new Map(g0.nodes.slice(1, 1 + ids.length).map((n, i) => [n.id, ids[i]!] as const));
  const to = (id: string) => rename.get(id) ?? id;
  const g = { ...g0, nodes: g0.nodes.map((n) => ({ ...n, id: to(n.id), inputs: n.inputs.map(to) })) };
  const { back, names } = await roundTrip(g);
  assert.deepEqual(
    ids.map((id) => names.get(id)),
    ["_.", "_..", "___proto__", "a_b", "x_y", "a_b_1"],
  );
  assert.equal(back.nodes.length, g.nodes.length);
  assertSameParameters(g, back, names);
  assertSameSpikes(g, back, randomInputs(g, 2, 5), names);
});
