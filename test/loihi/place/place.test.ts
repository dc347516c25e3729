import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SnncError } from "../../../src/ir/errors.ts";
import type {
  ConvSynapse,
  FixedConnection,
  FixedModel,
  FixedPopulation,
} from "../../../src/loihi/model/integer-model.ts";
import { placeLoihi, type Placement } from "../../../src/loihi/place/place-loihi.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import type { TargetSpec } from "../../../src/target/target.ts";
import { binaryInput, conn, pop } from "../../support/fixed-builder.ts";
import { Rng } from "../../support/rng.ts";

const L1 = loadTarget("loihi1");
const L2 = loadTarget("loihi2");

/** A small core so that random stacks spread over many cores and hit every limit. */
const TINY: TargetSpec = {
  ...L1,
  name: "tiny",
  aliases: [],
  core: {
    neurons: 48,
    synapseMemoryBytes: 1024,
    synapseBits: 16,
    inputAxons: 90,
    outputAxons: 160,
    thresholdProfiles: 2,
  },
  chip: { cores: 8, neurons: 300, synapses: 3000 },
  boards: [{ name: "b", chips: 200 }],
  defaultBoard: "b",
};

interface LayerSpec {
  kind: "dense" | "conv";
  out: number;
  density: number;
}

/** A stack of layers over a [6,6,2] spike input with seeded sparse weights. */
function stack(layers: LayerSpec[], seed: number): FixedModel {
  const rnd = new Rng(seed).next;
  const N = layers.length + 4;
  const pops: FixedPopulation[] = [];
  const conns: FixedConnection[] = [];
  let prev = "in";
  let shape = [6, 6, 2];
  layers.forEach((l, k) => {
    const id = `p${k}`;
    const inSize = shape.reduce((a, b) => a * b, 1);
    if (l.kind === "conv" && shape.length === 3) {
      const [H, W, C] = shape as [number, number, number];
      const CO = l.out;
      const kernel = Int32Array.from({ length: 3 * 3 * C * CO }, () =>
        rnd() < l.density ? 1 + Math.floor(rnd() * 100) : 0,
      );
      const syn: ConvSynapse = {
        kind: "conv",
        inShape: [H, W, C],
        outShape: [H, W, CO],
        kernelShape: [3, 3, C, CO],
        kernel,
        strides: [1, 1],
        pads: [1, 1, 1, 1],
        dilation: [1, 1],
        groups: 1,
      };
      pops.push(pop(id, [H, W, CO], { depth: k + 1 }, N));
      conns.push(conn(`c${k}`, prev, id, syn));
      shape = [H, W, CO];
    } else {
      const O = l.out * 4;
      const w = Int32Array.from({ length: inSize * O }, () => (rnd() < l.density ? 1 + Math.floor(rnd() * 100) : 0));
      pops.push(pop(id, [O], { depth: k + 1 }, N));
      conns.push(conn(`c${k}`, prev, id, { kind: "dense", inSize, outSize: O, weights: w }));
      shape = [O];
    }
    prev = id;
  });
  return {
    name: "stack",
    target: "tiny",
    timesteps: 4,
    runSteps: N,
    input: binaryInput([6, 6, 2]),
    populations: pops,
    connections: conns,
    outputs: [prev],
  };
}

/** Every limit of `t` holds on every core; every neuron is placed exactly once. */
function checkPlacement(m: FixedModel, t: TargetSpec, p: Placement): void {
  const synPerCore = Math.floor((t.core.synapseMemoryBytes * 8) / t.core.synapseBits);
  for (const c of p.cores) {
    assert.ok(c.neurons <= t.core.neurons, `core ${c.core}: ${c.neurons} neurons`);
    assert.ok(c.synapses <= synPerCore, `core ${c.core}: ${c.synapses} synapses`);
    assert.ok(c.synapseMemoryBytes <= t.core.synapseMemoryBytes);
    if (t.core.inputAxons) assert.ok(c.inputAxons <= t.core.inputAxons, `core ${c.core}: ${c.inputAxons} input axons`);
    if (t.core.outputAxons)
      assert.ok(c.outputAxons <= t.core.outputAxons, `core ${c.core}: ${c.outputAxons} output axons`);
    if (t.core.thresholdProfiles)
      assert.ok(c.profiles <= t.core.thresholdProfiles, `core ${c.core}: ${c.profiles} profiles`);
    assert.equal(c.chip, Math.floor(c.core / t.chip.cores));
  }
  for (let chip = 0; chip < p.totals.chips; chip++) {
    const cs = p.cores.filter((c) => c.chip === chip);
    assert.ok(cs.length <= t.chip.cores);
    if (t.chip.neurons) assert.ok(cs.reduce((a, c) => a + c.neurons, 0) <= t.chip.neurons);
    if (t.chip.synapses) assert.ok(cs.reduce((a, c) => a + c.synapses, 0) <= t.chip.synapses);
  }
  for (const q of m.populations) {
    const n = q.shape.reduce((a, b) => a * b, 1);
    const covered = new Uint8Array(n);
    for (const c of p.cores)
      for (const s of c.slices) if (s.population === q.id) for (let i = s.start; i < s.end; i++) covered[i]!++;
    assert.ok(
      covered.every((v) => v === 1),
      `every neuron of ${q.id} placed exactly once`,
    );
  }
}

test("property: random layer stacks never place beyond any per-core or per-chip limit", () => {
  const layer = fc.record({
    kind: fc.constantFrom("dense" as const, "conv" as const),
    out: fc.integer({ min: 1, max: 12 }),
    density: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
  });
  fc.assert(
    fc.property(fc.array(layer, { minLength: 1, maxLength: 4 }), fc.integer(), (layers, seed) => {
      const m = stack(layers, seed);
      for (const t of [TINY, L1, L2]) {
        let p: Placement;
        try {
          p = placeLoihi(m, t);
        } catch (e) {
          // a single neuron over a core's limits is the only acceptable refusal here, with numbers
          assert.ok(e instanceof SnncError && e.code === "E_TARGET", String(e));
          assert.match(e.message, /neuron \d+ of '\w+' (has \d+ synapses|receives from \d+ source neurons)/);
          continue;
        }
        checkPlacement(m, t, p);
      }
    }),
    { numRuns: 60, seed: 5 },
  );
});

test("a model that does not fit the board fails with the numbers", () => {
  const m = stack(
    [
      { kind: "dense", out: 300, density: 0.02 },
      { kind: "dense", out: 300, density: 0.02 },
    ],
    1,
  );
  const small: TargetSpec = { ...TINY, boards: [{ name: "one", chips: 1 }], defaultBoard: "one" };
  assert.throws(
    () => placeLoihi(m, small),
    (e: unknown) => {
      assert.ok(e instanceof SnncError && e.code === "E_TARGET");
      assert.match(
        e.message,
        /does not fit board 'one': it needs \d+ cores \(\d+ chips of 8\) for 2400 neurons and \d+ synapses; the board has 1 chip \(8 cores of 48 neurons and 1024 synapse bytes\)/,
      );
      return true;
    },
  );
  // a neuron with more synapses than a core holds
  const wide = stack([{ kind: "dense", out: 2, density: 1 }], 2);
  const cramped: TargetSpec = { ...TINY, core: { ...TINY.core, synapseMemoryBytes: 64, inputAxons: undefined } };
  assert.throws(
    () => placeLoihi(wide, cramped),
    /neuron 0 of 'p0' has 72 synapses \(144 bytes\); a tiny core holds 64 bytes of synapses \(32 synapses\)/,
  );
  // and an unknown board is a usage error
  assert.throws(() => placeLoihi(wide, L2, { board: "nope" }), /target 'loihi2' has no board 'nope'/);
});

test("loihi1 placement honours 1024 compartments and 16 profiles per core", () => {
  const m = stack(
    [
      { kind: "dense", out: 400, density: 0.01 },
      { kind: "dense", out: 100, density: 0.05 },
    ],
    3,
  );
  const p = placeLoihi(m, L1, { board: "kapoho-bay" });
  checkPlacement(m, L1, p);
  assert.equal(p.totals.neurons, 2000);
  assert.equal(p.cores[0]!.neurons, 1024);
  assert.equal(p.board, "kapoho-bay");
});

test("a gain stage (Lava ProdNeuron) occupies one more neuron per neuron, on its population's cores", () => {
  const m = stack([{ kind: "dense", out: 8, density: 0.05 }], 7); // p0: 32 neurons
  const plain = placeLoihi(m, TINY);
  const staged: FixedModel = {
    ...m,
    populations: m.populations.map((q) => (q.id === "p0" ? { ...q, gainStage: { exp: 8 } } : q)),
  };
  const p = placeLoihi(staged, TINY);
  checkPlacement(staged, TINY, p);
  assert.equal(plain.totals.neurons, 32);
  assert.equal(p.totals.neurons, 64);
  // 32 neurons and their 32 stage neurons do not fit one 48-neuron core
  const cores = p.cores.filter((c) => c.slices.some((s) => s.population === "p0"));
  assert.ok(cores.length >= 2);
  for (const c of cores) {
    const own = c.slices.reduce((a, s) => a + s.end - s.start, 0);
    assert.equal(c.neurons, 2 * own);
    assert.ok(c.neurons <= TINY.core.neurons);
  }
  assert.ok(
    p.notes.includes("gain stages (Lava ProdNeuron, one neuron per neuron, on the population's cores): 'p0' (32)"),
    p.notes.join("; "),
  );
});
