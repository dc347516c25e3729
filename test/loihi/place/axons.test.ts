/**
 * Placement counts input and output axons from weights and geometry (place/fan-in.ts), never by
 * listing synapses. Here they are checked against the definition, synapse by synapse: a core's
 * input axons are the distinct (source, neuron) pairs its neurons read through nonzero weights; a
 * source neuron's output axons are the distinct cores its nonzero synapses reach. Both ways of
 * counting input axons (per neuron, when the target limits them; per core, when it does not) agree.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { placeLoihi, type Placement } from "../../../src/loihi/place/place-loihi.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import type { TargetSpec } from "../../../src/target/target.ts";
import { binaryInput, conn, fixedModel, pop } from "../../support/fixed-builder.ts";
import { randomFixedModel } from "../../support/random-fixed-model.ts";
import { Rng } from "../../support/rng.ts";
import { forEachConvTerm } from "../../support/conv-taps.ts";

/** Every synapse with a nonzero weight as [source neuron, target neuron], per connection. */
function synapsesOf(m: FixedModel): { from: string; to: string; pairs: [number, number][] }[] {
  return m.connections.map((c) => {
    const s = c.synapse;
    const pairs: [number, number][] = [];
    if (s.kind === "dense") {
      for (let i = 0; i < s.inSize; i++)
        for (let o = 0; o < s.outSize; o++) if (s.weights[i * s.outSize + o]) pairs.push([i, o]);
    } else if (s.kind === "diagonal") {
      for (let i = 0; i < s.size; i++) if (s.weights[i]) pairs.push([i, i]);
    } else {
      forEachConvTerm(s, (j, o, w) => {
        if (s.kernel[w]) pairs.push([j, o]);
      });
    }
    return { from: c.from, to: c.to, pairs };
  });
}

function expected(m: FixedModel, p: Placement): { input: number[]; output: number[]; synapses: number[] } {
  const coreOf = new Map<string, Int32Array>();
  for (const q of m.populations) coreOf.set(q.id, new Int32Array(q.shape.reduce((a, b) => a * b, 1)));
  for (const c of p.cores) for (const s of c.slices) coreOf.get(s.population)!.fill(c.core, s.start, s.end);
  const inputs = new Map<number, Set<string>>();
  const outputs = new Map<string, Set<number>>();
  const synapses = new Map<number, number>();
  for (const { from, to, pairs } of synapsesOf(m)) {
    for (const [j, o] of pairs) {
      const core = coreOf.get(to)![o]!;
      if (!inputs.has(core)) inputs.set(core, new Set());
      inputs.get(core)!.add(`${from}:${j}`);
      synapses.set(core, (synapses.get(core) ?? 0) + 1);
      if (from === m.input.id) continue;
      const key = `${from}:${j}`;
      if (!outputs.has(key)) outputs.set(key, new Set());
      outputs.get(key)!.add(core);
    }
  }
  const out = new Map<number, number>();
  for (const [key, cores] of outputs) {
    const [from, j] = key.split(":") as [string, string];
    const at = coreOf.get(from)![Number(j)]!;
    out.set(at, (out.get(at) ?? 0) + cores.size);
  }
  return {
    input: p.cores.map((c) => inputs.get(c.core)?.size ?? 0),
    output: p.cores.map((c) => out.get(c.core) ?? 0),
    synapses: p.cores.map((c) => synapses.get(c.core) ?? 0),
  };
}

const L2 = loadTarget("loihi2");
/** Small cores, so that layers split inside pixels and channel groups; no axon limits. */
const SMALL: TargetSpec = { ...L2, name: "small", core: { neurons: 5, synapseMemoryBytes: 4000, synapseBits: 16 } };
/** The same with input axons limited (far above use): counted per neuron. */
const SMALL_LIMITED: TargetSpec = { ...SMALL, core: { ...SMALL.core, inputAxons: 1e9 } };

test("property: input and output axons and synapses per core are those of the synapses themselves", () => {
  let cores = 0;
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const { m } = randomFixedModel(seed);
      const p = placeLoihi(m, SMALL);
      const want = expected(m, p);
      assert.deepEqual(
        p.cores.map((c) => c.inputAxons),
        want.input,
        `input axons (seed ${seed})`,
      );
      assert.deepEqual(
        p.cores.map((c) => c.outputAxons),
        want.output,
        `output axons (seed ${seed})`,
      );
      assert.deepEqual(
        p.cores.map((c) => c.synapses),
        want.synapses,
        `synapses (seed ${seed})`,
      );
      assert.deepEqual(placeLoihi(m, SMALL_LIMITED).cores, p.cores, `per-neuron counting (seed ${seed})`);
      // without axon counts: the same cores, slices, neurons and synapses, axons 0 (no limit on them)
      const bare = placeLoihi(m, SMALL, { axons: false });
      const noAxons = p.cores.map((c) => ({ ...c, inputAxons: 0, outputAxons: 0 }));
      assert.deepEqual(bare.cores, noAxons, `without axons (seed ${seed})`);
      assert.deepEqual(bare.totals, p.totals);
      // a limit is a verdict's part: input axons counted whatever is asked (output axons have none here)
      assert.deepEqual(
        placeLoihi(m, SMALL_LIMITED, { axons: false }).cores,
        p.cores.map((c) => ({ ...c, outputAxons: 0 })),
        `input axons limited, axons false (seed ${seed})`,
      );
      const outLimited = { ...SMALL, core: { ...SMALL.core, outputAxons: 1e9 } };
      assert.deepEqual(
        placeLoihi(m, outLimited, { axons: false }).cores,
        p.cores.map((c) => ({ ...c, inputAxons: 0 })),
        `output axons limited, axons false (seed ${seed})`,
      );
      cores += p.cores.length;
    }),
    { numRuns: 150, seed: 3 },
  );
  assert.ok(cores > 150 * 3, `only ${cores} cores: the models do not split`);
});

/** Two convs with 33..100 output channels (several words per kernel row of placement's nonzero bits), sparse kernels. */
function wideConvModel(seed: number): FixedModel {
  const r = new Rng(seed);
  const H = r.int(2, 3);
  const W = r.int(2, 3);
  const C = r.int(1, 3);
  const convOf = (inShape: [number, number, number]) => {
    const [h, w, c] = inShape;
    const groups = c > 1 && r.bool(0.4) ? c : 1;
    const CO = groups * r.int(Math.ceil(33 / groups), 100 / groups);
    const KI = c / groups;
    const k = r.int(1, 2);
    const zeroRow = r.bool(0.5); // one (tap, input channel) row without any nonzero
    const kernel = Int32Array.from({ length: k * k * KI * CO }, (_, i) =>
      (zeroRow && Math.floor(i / CO) === 0) || r.bool(0.8) ? 0 : r.int(-50, 50),
    );
    return {
      kind: "conv" as const,
      inShape,
      outShape: [h - k + 1, w - k + 1, CO] as [number, number, number],
      kernelShape: [k, k, KI, CO] as [number, number, number, number],
      kernel,
      strides: [1, 1] as [number, number],
      pads: [0, 0, 0, 0] as [number, number, number, number],
      dilation: [1, 1] as [number, number],
      groups,
    };
  };
  const s1 = convOf([H, W, C]);
  const s2 = convOf(s1.outShape);
  const p1 = pop("p1", s1.outShape, { depth: 1 }, 5);
  const p2 = pop("p2", s2.outShape, { depth: 2 }, 5);
  return fixedModel(binaryInput([H, W, C]), [p1, p2], [conn("a", "in", "p1", s1), conn("b", "p1", "p2", s2)], 3, 5);
}

test("property: axons of convs whose channel ranges span several words of nonzero bits, cores splitting them anywhere", () => {
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), fc.integer({ min: 3, max: 70 }), (seed, n) => {
      const m = wideConvModel(seed);
      const t: TargetSpec = { ...SMALL, core: { ...SMALL.core, neurons: n, synapseMemoryBytes: 1e6 } };
      const p = placeLoihi(m, t);
      const want = expected(m, p);
      assert.deepEqual(
        p.cores.map((c) => c.inputAxons),
        want.input,
        `input axons (seed ${seed}, ${n} per core)`,
      );
      assert.deepEqual(
        p.cores.map((c) => c.outputAxons),
        want.output,
        `output axons (seed ${seed}, ${n} per core)`,
      );
      const limited = placeLoihi(m, { ...t, core: { ...t.core, inputAxons: 1e9 } });
      assert.deepEqual(limited.cores, p.cores, `per-neuron counting (seed ${seed})`);
    }),
    { numRuns: 60, seed: 5 },
  );
});
