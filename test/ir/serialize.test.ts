import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { graphFromJson, graphToJson } from "../../src/ir/serialize.ts";
import { loadTfjsModel } from "../../src/frontends/tfjs/load.ts";
import { simulate } from "../../src/sim/reference.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { singleNeuronGraph, tensor } from "../support/ir-builder.ts";
import { ROOT } from "../support/cli.ts";

const fixtures = readdirSync(join(ROOT, "fixtures"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, "fixtures", d.name, "model.json"))) // TF.js fixtures
  .map((d) => d.name);

test(".snnc.json round-trips every fixture: same text, same spikes", async () => {
  for (const f of fixtures) {
    if (f === "pspnorm-ln") continue; // cannot run (refused by design)
    const g = await loadTfjsModel(join(ROOT, "fixtures", f, "model.json"));
    const text = graphToJson(g);
    const g2 = graphFromJson(text, `${f}.snnc.json`);
    assert.equal(graphToJson(g2), text, f);
    const [x] = randomInputs(g, 1, 3);
    const a = simulate(g, x!);
    const b = simulate(g2, x!);
    for (const [id, tr] of a.traces) assert.deepEqual(b.traces.get(id)!.out, tr.out, `${f}/${id}`);
    for (const [id, ro] of a.readouts) assert.deepEqual(b.readouts.get(id), ro, `${f}/${id}`);
  }
});

test("±Infinity thresholds (never-firing neurons after a fold) survive serialisation", () => {
  const g = singleNeuronGraph(3, 2, { theta: tensor([3], [1, Infinity, -Infinity]), resetAmount: tensor([], [1]) });
  const text = graphToJson(g);
  assert.match(text, /\[1,"Infinity","-Infinity"\]/);
  const n = graphFromJson(text).nodes[1]!;
  assert.equal(n.op, "neuron");
  if (n.op === "neuron") assert.deepEqual(Array.from(n.threshold.data), [1, Infinity, -Infinity]);
});

function errorOf(fn: () => unknown): SnncError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SnncError, String(e));
    return e;
  }
  assert.fail("no error");
}

test("reading rejects bad files with a located one-line message", () => {
  const good = graphToJson(singleNeuronGraph(2, 2, {}));
  assert.equal(errorOf(() => graphFromJson("", "a.snnc.json")).message, "a.snnc.json: file is empty");
  assert.match(errorOf(() => graphFromJson("{", "a.snnc.json")).message, /^a\.snnc\.json: not valid JSON/);
  assert.equal(
    errorOf(() => graphFromJson(good.replace('"hard"', '"sideways"'), "a.snnc.json")).message,
    "a.snnc.json: layer 'n': does not follow the snnc-graph schema at /nodes/1/reset: must be equal to one of the allowed values",
  );
  assert.match(
    errorOf(() => graphFromJson(good.replace('"version": 1', '"version": 9'), "a.snnc.json")).message,
    /schema at \/version/,
  );
  const e = errorOf(() =>
    graphFromJson(
      good.replace('"inputShape": [2]', '"inputShape": [2]').replace('"inputs": ["in"]', '"inputs": ["nowhere"]'),
      "a.snnc.json",
    ),
  );
  assert.equal(e.message, "a.snnc.json: layer 'n': input 'nowhere' is not defined before this node");
  const short = good.replace(
    /"threshold": \{\n\s+"shape": \[\],\n\s+"data": \[1\]/,
    '"threshold": {"shape": [3], "data": [1]',
  );
  assert.match(
    errorOf(() => graphFromJson(short, "a.snnc.json")).message,
    /layer 'n': parameter 'threshold': 1 values for shape \[3\]/,
  );
});
