import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { snnc, ROOT } from "../support/cli.ts";

const ajv = new Ajv({ strict: true });
const compiled = new Map<string, ReturnType<Ajv["compile"]>>();
const schema = (name: string) => {
  if (!compiled.has(name))
    compiled.set(name, ajv.compile(JSON.parse(readFileSync(join(ROOT, "src/cli/schemas", name), "utf8"))));
  return compiled.get(name)!;
};
const fixtures = readdirSync(join(ROOT, "fixtures"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, "fixtures", d.name, "model.json"))) // TF.js fixtures
  .map((d) => d.name);

test("inspect prints a table with one row per layer", () => {
  const r = snnc(["inspect", "fixtures/mt-lif/model.json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^layer\s+type\s+shape\s+neuron\s+norms\s+params$/m);
  assert.match(r.stdout, /^mt1\s+neuron\s+\[8×8×4\]\s+MT-LIF .*Δ=\[0\.6,-0\.25\]/m);
  assert.match(r.stdout, /8 layers, 320 neurons, \d+ parameters/);
});

test("inspect --json validates against the shipped schema for every fixture", () => {
  const validate = schema("inspect.schema.json");
  for (const f of fixtures) {
    const r = snnc(["inspect", `fixtures/${f}/model.json`, "--json"]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout);
    assert.ok(validate(doc), `${f}: ${ajv.errorsText(validate.errors)}`);
    assert.equal(doc.layers[0].type, "input");
  }
});

test("the inspect schema rejects what it must (it is not vacuous)", () => {
  const validate = schema("inspect.schema.json");
  const doc = JSON.parse(snnc(["inspect", "fixtures/mlp-dense/model.json", "--json"]).stdout);
  doc.layers[0].params = -1;
  assert.equal(validate(doc), false);
});

test("run --json follows FORMATS.md §5 and its schema; --raster indices match the counts", () => {
  const validate = schema("run.schema.json");
  const r = snnc(["run", "fixtures/mt-lif/model.json", "--input", "fixtures/mt-lif/input.json", "--json", "--raster"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(validate(doc), ajv.errorsText(validate.errors));
  assert.equal(doc.timesteps, 6);
  const l = doc.samples[0].layers[0];
  assert.equal(l.name, "mt1");
  assert.equal(
    l.total,
    l.spikes_per_step.reduce((a: number, b: number) => a + b, 0),
  );
  assert.deepEqual(
    l.raster.map((x: number[]) => x.length),
    l.spikes_per_step,
  );
  assert.equal(doc.samples[0].readout.length, 3);
});

test('run accepts {"inputs": [...]} with several samples and .npy input', () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-run-"));
  const one = JSON.parse(readFileSync(join(ROOT, "fixtures/mlp-dense/input.json"), "utf8"));
  writeFileSync(join(dir, "two.json"), JSON.stringify({ inputs: [one, one] }));
  const r = snnc(["run", "fixtures/mlp-dense/model.json", "--input", join(dir, "two.json"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.samples.length, 2);
  assert.deepEqual(doc.samples[0], doc.samples[1]);
  // The same sample as a float64 .npy (NumPy format v1.0, C order)
  const flat = (one as unknown[]).flat(Infinity) as number[];
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${flat.length},), }`;
  const padded = `${header + " ".repeat(64 - ((10 + header.length + 1) % 64))}\n`;
  const pre = Buffer.from([0x93, ...Buffer.from("NUMPY"), 1, 0, padded.length & 255, padded.length >> 8]);
  writeFileSync(
    join(dir, "x.npy"),
    Buffer.concat([pre, Buffer.from(padded, "latin1"), Buffer.from(Float64Array.from(flat).buffer)]),
  );
  const r2 = snnc(["run", "fixtures/mlp-dense/model.json", "--input", join(dir, "x.npy"), "--json"]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(JSON.parse(r2.stdout).samples[0], doc.samples[0]);
});

test("user errors are one line, name the file, exit non-zero and show no stack trace", () => {
  const cases: [string[], number, RegExp][] = [
    [["inspect", "no/such/model.json"], 3, /^snnc: error: no\/such\/model\.json: no such file$/],
    [
      ["run", "fixtures/pspnorm-ln/model.json", "--input", "fixtures/pspnorm-ln/input.json"],
      4,
      /fixtures\/pspnorm-ln\/model\.json: layer 'psp1': PSPNorm mode "ln" .* not an inference-time layer/,
    ],
    [["run", "fixtures/mlp-dense/model.json"], 2, /give --input <file> or --random <n>/],
    [
      ["run", "fixtures/mlp-dense/model.json", "--input", "fixtures/mt-lif/input.json"],
      3,
      /fixtures\/mt-lif\/input\.json: sample 0 has shape \[8,8,1\], the model's input is \[\d+\]/,
    ],
    [["run", "fixtures/mlp-dense/model.json", "--random", "x"], 2, /--random must be an integer >= 1, got 'x'/],
    [["inspect", "model.onnx.txt"], 3, /no such file/],
  ];
  for (const [args, code, re] of cases) {
    const r = snnc(args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test("an unknown command is a usage error (exit 2)", () => {
  const r = snnc(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test("run --random is deterministic for a seed", () => {
  const a = snnc(["run", "fixtures/conv-bn-pool/model.json", "--random", "2", "--seed", "7", "--json"]);
  const b = snnc(["run", "fixtures/conv-bn-pool/model.json", "--random", "2", "--seed", "7", "--json"]);
  const c = snnc(["run", "fixtures/conv-bn-pool/model.json", "--random", "2", "--seed", "8", "--json"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
});

test("run --target loihi reports the integer model in hardware steps with each layer's latency", () => {
  const validate = schema("run.schema.json");
  const hw = snnc([
    "run",
    "fixtures/tdbn/model.json",
    "--input",
    "fixtures/tdbn/input.json",
    "--target",
    "loihi",
    "--json",
    "--raster",
  ]);
  assert.equal(hw.code, 0, hw.stderr);
  const doc = JSON.parse(hw.stdout);
  assert.ok(validate(doc), ajv.errorsText(validate.errors));
  assert.equal(doc.target, "loihi2");
  // T = 4 plus the pipeline latency of the deepest layer (conv → conv → dense: 3 synaptic hops)
  assert.equal(doc.timesteps, 7);
  const ref = JSON.parse(
    snnc(["run", "fixtures/tdbn/model.json", "--input", "fixtures/tdbn/input.json", "--json"]).stdout,
  );
  const layers = doc.samples[0].layers;
  assert.deepEqual(
    layers.map((l: { name: string; latency: number }) => [l.name, l.latency]),
    [
      ["lif1", 1],
      ["lif2", 2],
    ],
  );
  for (const l of layers) {
    assert.equal(l.spikes_per_step.length, 7);
    // nothing fires before the layer's input arrives
    assert.deepEqual(l.spikes_per_step.slice(0, l.latency), new Array(l.latency).fill(0));
    assert.deepEqual(
      l.raster.map((r: number[]) => r.length),
      l.spikes_per_step,
    );
  }
  // same classification as the float model as written on this sample
  const am = (xs: number[]) => xs.indexOf(Math.max(...xs));
  assert.equal(am(doc.samples[0].readout), am(ref.samples[0].readout));
  // Without a raster the steps' spikes are counted as the engine takes them: the same counts.
  const counted = JSON.parse(
    snnc(["run", "fixtures/tdbn/model.json", "--input", "fixtures/tdbn/input.json", "--target", "loihi", "--json"])
      .stdout,
  );
  assert.ok(
    layers.some((l: { total: number }) => l.total > 0),
    "some layer fires",
  );
  assert.deepEqual(
    counted.samples[0].layers,
    layers.map(({ raster: _, ...l }: { raster: number[][] }) => l),
  );
  assert.deepEqual(counted.samples[0].readout, doc.samples[0].readout);
  const bad = snnc([
    "run",
    "fixtures/tdbn/model.json",
    "--input",
    "fixtures/tdbn/input.json",
    "--target",
    "loihi",
    "--timesteps",
    "3",
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timesteps applies to the float reference only/);
});
