/**
 * An integer run as the float reference's RunResult (fixedRunAsRunResult): each population's spike
 * arrays are the run's own, not copied; a layer split into copies of their own scale is their sum,
 * made in new arrays so that the run itself is left as it was.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fixedRunAsRunResult, type FixedRun } from "../../../src/loihi/sim/engine-common.ts";
import { binaryInput, conn, denseSynapse, fixedModel, pop } from "../../support/fixed-builder.ts";

test("spike arrays are the run's; a split layer is the sum of its copies, the run untouched", () => {
  const a = pop("a", [3], { depth: 1 }, 2);
  const b0 = pop("b0", [3], { depth: 2, source: "b" }, 2);
  const b1 = pop("b1", [3], { depth: 2, source: "b" }, 2);
  const eye = denseSynapse([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  const conns = [conn("c0", "in", "a", eye), conn("c1", "a", "b0", eye), conn("c2", "a", "b1", eye)];
  const m = fixedModel(binaryInput([3]), [a, b0, b1], conns, 1, 2);
  const spikes = new Map<string, Uint8Array[]>([
    ["a", [Uint8Array.of(1, 0, 1), Uint8Array.of(0, 1, 0)]],
    ["b0", [Uint8Array.of(1, 0, 0), Uint8Array.of(0, 1, 0)]],
    ["b1", [Uint8Array.of(0, 0, 1), Uint8Array.of(0, 0, 0)]],
  ]);
  const run: FixedRun = {
    engine: "event",
    steps: 2,
    spikes,
    readoutV: new Map(),
    readouts: new Map(),
    stats: { spikes: 0, synapticEvents: 0, inputSynapticEvents: 0 },
  };
  const r = fixedRunAsRunResult(m, run);
  assert.equal(r.traces.get("a")!.out[0], spikes.get("a")![0], "not copied");
  assert.deepEqual(
    r.traces.get("b")!.out.map((o) => Array.from(o)),
    [
      [1, 0, 1],
      [0, 1, 0],
    ],
  );
  assert.deepEqual(Array.from(spikes.get("b0")![0]!), [1, 0, 0], "the first copy's run is left as it was");
  assert.equal(r.traces.has("b0"), false);
});
