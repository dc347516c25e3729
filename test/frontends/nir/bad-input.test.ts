/**
 * Bad NIR input: one line naming the file, the node and the problem; through the CLI exit 3, nothing
 * written, and no HDF5 diagnostics on stderr.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadModel } from "../../../src/frontends/index.ts";
import { snnc } from "../../support/cli.ts";
import { rejects } from "../../support/errors.ts";
import { tempDir } from "../../support/model-files.ts";
import { f64, graph, type H5Tree, i64, nir, PAPER, str, writeNir } from "./nir-files.ts";

const chain = (layer: H5Tree, inShape: number[], outShape: number[]) =>
  graph({ input: nir.input(inShape), x: layer, output: nir.output(outShape) }, [
    ["input", "x"],
    ["x", "output"],
  ]);

/** The CLI refuses `file` with exit 3 and one line, writes nothing and prints no HDF5 diagnostics. */
async function cliRefuses(file: string, parts: string[]) {
  const out = join(await tempDir(), "out");
  const r = snnc(["compile", file, "--target", "float", "-o", out]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`snnc: error: ${file}: `), lines[0]);
  for (const p of parts) assert.ok(lines[0]!.includes(p), `"${p}" not in: ${lines[0]}`);
  assert.ok(!r.stderr.includes("HDF5-DIAG"));
  assert.ok(!existsSync(out), "nothing written");
}

describe("the file", () => {
  test("truncated HDF5", async () => {
    const file = join(await tempDir(), "cut.nir");
    await copyFile(join(PAPER, "lif_norse.nir"), file);
    await truncate(file, 5000);
    await rejects(loadModel(file), { code: "E_PARSE", file, parts: ["not a readable HDF5 file", "truncated file"] });
    await cliRefuses(file, ["truncated file"]);
  });

  test("not HDF5, empty, missing", async () => {
    const dir = await tempDir();
    const text = join(dir, "text.nir");
    await writeFile(text, "this is not HDF5\n");
    await rejects(loadModel(text), { code: "E_PARSE", file: text, parts: ["not an HDF5 file"] });
    const empty = join(dir, "empty.nir");
    await writeFile(empty, "");
    await rejects(loadModel(empty), { code: "E_IO", file: empty, parts: ["file is empty"] });
    await cliRefuses(text, ["not an HDF5 file"]);
    const r = snnc(["inspect", join(dir, "absent.nir")]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /absent\.nir: no such file/);
  });

  test("damage that makes HDF5 abort, or leaves names that are not UTF-8: one line, nothing else on stderr", async () => {
    const dir = await tempDir();
    // a byte of the NIR paper's braille graph that makes libhdf5 call abort() (found by the fuzzer)
    const aborts = join(dir, "aborts.nir");
    const a = await readFile(join(PAPER, "braille_noDelay_bias_zero.nir"));
    a[29318] = 8;
    await writeFile(aborts, a);
    await cliRefuses(aborts, ["HDF5 content cannot be read", "Aborted"]);
    // the last 'lif1' of the file (a variable-length string in the global heap) with a byte that
    // starts no UTF-8 character: libhdf5 reads the file (its runtime warned on stderr before)
    const bytes = await readFile("fixtures/nir-snnc/mpbn-channel.nir");
    const at = bytes.lastIndexOf("lif1");
    assert.ok(at > 0);
    bytes[at] = 0x80;
    const notUtf8 = join(dir, "not-utf8.nir");
    await writeFile(notUtf8, bytes);
    await cliRefuses(notUtf8, ["edge"]);
  });

  test("damage libhdf5 loops on: stopped, one line (the shipped command reads through HDF5 in a thread)", async () => {
    // one byte of the NIR paper's braille graph (found by the fuzzer): snnc's decoder refuses the
    // file, and libhdf5, which reads it then, never returns
    const file = join(await tempDir(), "loops.nir");
    const bytes = await readFile(join(PAPER, "braille_noDelay_bias_zero.nir"));
    bytes[2544] = 0;
    await writeFile(file, bytes);
    await cliRefuses(file, ["HDF5 content cannot be read", "did not finish within 10 s"]);
  });

  test("HDF5 that is not a NIR graph", async () => {
    const file = await writeNir({ type: str("LIF") });
    await rejects(loadModel(file), { code: "E_FORMAT", file, layer: "node", parts: ["not a NIRGraph"] });
  });
});

describe("nodes", () => {
  test("an unknown primitive, a node without a type", async () => {
    const bad = await writeNir(chain({ type: str("Conv3d") }, [2], [2]));
    await rejects(loadModel(bad), {
      code: "E_FORMAT",
      layer: "x",
      param: "type",
      parts: ["'Conv3d' is not a NIR primitive"],
    });
    await cliRefuses(bad, ["layer 'x'", "Conv3d"]);
    const untyped = await writeNir(chain({ weight: f64([1, 2], [1, 2]) }, [2], [1]));
    await rejects(loadModel(untyped), { code: "E_FORMAT", layer: "x", param: "type" });
  });

  test("a missing dataset", async () => {
    const lif = nir.lif(2);
    delete lif.tau;
    const file = await writeNir(chain(lif, [2], [2]));
    await rejects(loadModel(file), {
      code: "E_WEIGHT",
      file,
      layer: "x",
      param: "tau",
      parts: ["dataset 'tau' is missing"],
    });
    await cliRefuses(file, ["layer 'x'", "dataset 'tau' is missing"]);
  });

  test("wrong shapes: an Affine's weight, a neuron's parameters, an Output", async () => {
    const aff = await writeNir(chain(nir.affine([[1, 2, 3]], [0]), [4], [1]));
    await rejects(loadModel(aff), {
      code: "E_SHAPE",
      layer: "x",
      param: "weight",
      parts: ["[1,3]", "expected [out, 4]"],
    });
    await cliRefuses(aff, ["layer 'x'", "weight"]);
    const lif = await writeNir(chain(nir.lif(3), [4], [4]));
    await rejects(loadModel(lif), { code: "E_SHAPE", layer: "x", parts: ["has shape [3], its input has shape [4]"] });
    const out = await writeNir(chain(nir.ifNeuron(4), [4], [3]));
    await rejects(loadModel(out), {
      code: "E_SHAPE",
      layer: "output",
      parts: ["Output shape [3] does not match its source's [4]"],
    });
    const conv = {
      type: str("Conv2d"),
      weight: f64([1, 2, 3], [3]),
      bias: f64([0]),
      stride: i64([1], []),
      padding: i64([0], []),
      dilation: i64([1], []),
      groups: i64([1], []),
    };
    await rejects(loadModel(await writeNir(chain(conv, [1, 4, 4], [1, 4, 4]))), {
      code: "E_SHAPE",
      layer: "x",
      param: "weight",
    });
  });

  test("NaN in a weight", async () => {
    const file = await writeNir(chain(nir.linear([[1, Number.NaN]]), [2], [1]));
    await rejects(loadModel(file), { code: "E_VALUE", layer: "x", param: "weight", parts: ["NaN at index 1"] });
  });
});

describe("edges", () => {
  test("an edge to a node that does not exist", async () => {
    const file = await writeNir(
      graph({ input: nir.input([2]), x: nir.ifNeuron(2), output: nir.output([2]) }, [
        ["input", "x"],
        ["x", "y"],
        ["x", "output"],
      ]),
    );
    await rejects(loadModel(file), {
      code: "E_FORMAT",
      file,
      layer: "y",
      parts: ["edge 'x' → 'y' of the top graph: no node 'y'", "its nodes: input, output, x"],
    });
    await cliRefuses(file, ["no node 'y'"]);
  });

  test("a cycle without a neuron or a Delay", async () => {
    const file = await writeNir(
      graph({ input: nir.input([1]), a: nir.linear([[1]]), b: nir.linear([[2]]), output: nir.output([1]) }, [
        ["input", "a"],
        ["a", "b"],
        ["b", "a"],
        ["b", "output"],
      ]),
    );
    await cliRefuses(file, ["layer 'a'", "cycle 'a' → 'b' → 'a' has no neuron and no Delay"]);
  });

  test("edges that are not an (n, 2) array; an edge into the Input; a node cut off from the Input", async () => {
    const top = graph({ input: nir.input([1]), x: nir.ifNeuron(1), output: nir.output([1]) }, []);
    const flat = await writeNir({ ...top, edges: { kind: "strs", shape: [3], data: ["input", "x", "x"] } });
    await rejects(loadModel(flat), { code: "E_FORMAT", param: "edges", parts: ["(n, 2) array"] });
    const into = await writeNir(
      graph({ input: nir.input([1]), x: nir.ifNeuron(1), output: nir.output([1]) }, [
        ["input", "x"],
        ["x", "input"],
        ["x", "output"],
      ]),
    );
    await rejects(loadModel(into), { code: "E_FORMAT", layer: "input", parts: ["enters an Input node"] });
    const island = await writeNir(
      graph({ input: nir.input([1]), x: nir.ifNeuron(1), y: nir.ifNeuron(1), output: nir.output([1]) }, [
        ["input", "x"],
        ["x", "output"],
        ["y", "output"],
      ]),
    );
    await rejects(loadModel(island), { code: "E_FORMAT", layer: "y", parts: ["not connected to the Input"] });
  });

  test("no Input node: bad input; two Input nodes: refused (exit 4)", async () => {
    const none = await writeNir(graph({ x: nir.ifNeuron(1), output: nir.output([1]) }, [["x", "output"]]));
    await rejects(loadModel(none), { code: "E_FORMAT", parts: ["no Input node"] });
    const two = await writeNir(
      graph({ a: nir.input([1]), b: nir.input([1]), x: nir.ifNeuron(1), output: nir.output([1]) }, [
        ["a", "x"],
        ["b", "x"],
        ["x", "output"],
      ]),
    );
    const r = snnc(["run", two, "--random", "1"]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /2 Input nodes \('a', 'b'\); snnc models have one input/);
  });
});

describe("options", () => {
  test("--dt and --dt-method are checked (exit 2)", () => {
    const file = join(PAPER, "lif_norse.nir");
    for (const [args, msg] of [
      [["--dt", "0"], "--dt must be a positive number of seconds, got '0'"],
      [["--dt", "fast"], "--dt must be a positive number"],
      [["--dt-method", "rk4"], "--dt-method must be euler or exp, got 'rk4'"],
    ] as const) {
      const r = snnc(["inspect", file, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(msg), r.stderr);
    }
    const ok = snnc(["inspect", file, "--dt", "2e-4", "--dt-method", "exp", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    const layer = JSON.parse(ok.stdout).layers.find((l: { name: string }) => l.name === "1");
    assert.equal(layer.neuron.tau, 1 + Math.expm1(-2e-4 / Math.fround(0.0025)));
  });
});
