/**
 * The Loihi driver on every fixture: compiles (network.net where netx can carry it) or is refused
 * with the construct and the reason; verify agrees on both integer engines; an injected
 * fixed-point bug makes `snnc verify --target loihi` exit 1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { driverFor } from "../../src/driver/index.ts";
import { makeLoihiDriver } from "../../src/loihi/driver.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { loadModel } from "../../src/frontends/index.ts";
import { readInputs } from "../../src/inputs/read-inputs.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import { snnc } from "../support/cli.ts";

const LAVA_ONLY = ["network.lava.json", "hwconfig.json", "report.txt"];
/** With snnc's own Lava process (MT neurons) next to the process graph. */
const LAVA_CUSTOM = ["network.lava.json", "snnc_lava_processes.py", "hwconfig.json", "report.txt"];
const NO_NETX_SEEDS =
  /network\.net: not written: .*\(soft reset: ATRLIF.*\): netx loads CUBA and sigma-delta layers only/;

/** What loihi2 does with each fixture: the files it writes (and why not network.net), or the refusal (layer, reason). */
const EXPECT: Record<string, { files: string[]; noNetx?: RegExp } | { layer: string; reason: RegExp }> = {
  bntt: { files: LAVA_ONLY, noNetx: NO_NETX_SEEDS },
  "conv-bn-pool": { files: LAVA_ONLY, noNetx: NO_NETX_SEEDS },
  "conv-bn-pool-f16": { files: LAVA_ONLY, noNetx: NO_NETX_SEEDS },
  "conv-bn-pool-u8": { files: LAVA_ONLY, noNetx: NO_NETX_SEEDS },
  "keras-misc": { files: ["network.net", "network.lava.json", "hwconfig.json", "report.txt"] },
  "mlp-dense": { files: LAVA_ONLY, noNetx: /network\.net: not written: 'if1' \(soft reset: ATRLIF\): netx/ },
  "mpbn-channel": {
    files: LAVA_ONLY,
    noNetx: /network\.net: not written: state offsets \('lif1'\): netx sets no initial v per neuron/,
  },
  // the quantiser splits lif1 by threshold scale; the part with negative thresholds carries the offset
  "mpbn-element": { files: LAVA_ONLY, noNetx: /network\.net: not written: state offsets \('lif1(_part\d+)?'\)/ },
  "mt-lif": {
    files: LAVA_CUSTOM,
    noNetx: /network\.net: not written: 'mt1' \(snnc's MultiThresholdLIF\), 'mt2' \(snnc's MultiThresholdLIF\)/,
  },
  plif: { files: LAVA_ONLY, noNetx: /network\.net: not written: state offsets \('plif2'\)/ },
  pspnorm: { files: ["network.net", "network.lava.json", "hwconfig.json", "report.txt"] },
  "pspnorm-ln": { layer: "psp1", reason: /PSPNorm mode "ln" .* not an inference-time layer/ },
  "residual-add": { files: LAVA_ONLY, noNetx: /network\.net: not written: 'lif_c' has 2 incoming synapse groups/ },
  tab: { files: LAVA_ONLY, noNetx: /network\.net: not written: 'lif1' \(a per-step gain stage\), 'lif2' \(a per-step/ },
  tdbn: { files: ["network.net", "network.lava.json", "hwconfig.json", "report.txt"] },
  tebn: {
    files: LAVA_ONLY,
    noNetx: /network\.net: not written: 'lif1' \(a per-step gain stage\), 'lif2' \(a per-step/,
  },
  "time-distributed": { files: ["network.net", "network.lava.json", "hwconfig.json", "report.txt"] },
};

const FIXTURES = readdirSync(new URL("../../fixtures/", import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`../../fixtures/${d.name}/model.json`, import.meta.url))) // TF.js fixtures
  .map((d) => d.name)
  .sort();

test("the table covers every fixture", () => {
  assert.deepEqual(Object.keys(EXPECT).sort(), FIXTURES);
});

test("loihi, loihi2 and loihi1 are registered; --target loihi is loihi2", async () => {
  const d = driverFor("loihi");
  assert.equal(driverFor("loihi2"), d);
  assert.equal(driverFor("loihi1"), d);
  const names = d.passes!({ target: "loihi" }).map((p) => p.name);
  assert.deepEqual(names.slice(-8), [
    "lower-neuron-model",
    "lower-pad",
    "lower-pooling",
    "lower-conv-padding",
    "lower-gain",
    "lower-soft-reset",
    "lower-state-offset",
    "lower-thresholds",
  ]);
  // loihi2 lowers per-step norms exactly (a gain stage); loihi1 (no graded spikes) refuses them
  assert.ok(names.includes("lower-temporal-norm"));
  assert.ok(d.passes!({ target: "loihi1" }).some((p) => p.name === "refuse-temporal-norm"));
  assert.ok(d.passes!({ target: "loihi", temporalNorm: "approx" }).some((p) => p.name === "approx-temporal-norm"));
});

for (const f of FIXTURES) {
  test(`fixture ${f} on loihi2: ${"files" in EXPECT[f]! ? "compiles" : "refused with the reason"}`, async () => {
    const e = EXPECT[f]!;
    const file = `fixtures/${f}/model.json`;
    let g: Graph;
    try {
      g = await loadModel(file);
    } catch (err) {
      assert.ok("reason" in e && err instanceof SnncError, String(err));
      assert.match(err.message, e.reason);
      return;
    }
    const d = driverFor("loihi2");
    if ("files" in e) {
      const r = await d.compile(g, { target: "loihi2", file });
      assert.deepEqual([...r.files.keys()], e.files);
      assert.equal(r.target, "loihi2");
      if (!e.files.includes("network.net")) assert.match(r.files.get("report.txt") as string, e.noNetx!);
    } else {
      await assert.rejects(d.compile(g, { target: "loihi2", file }), (err: unknown) => {
        assert.ok(err instanceof SnncError, String(err));
        assert.ok(["E_TARGET", "E_UNSUPPORTED"].includes(err.code), err.code);
        assert.equal(err.layer, e.layer);
        assert.equal(err.file, file);
        assert.match(err.message, e.reason);
        assert.ok(!err.message.includes("\n"));
        return true;
      });
    }
  });
}

test("per-step norms compile with --temporal-norm approx (agreement measured in the report)", async () => {
  for (const f of ["tebn", "tab"]) {
    const g = await loadModel(`fixtures/${f}/model.json`);
    const r = await driverFor("loihi").compile(g, { target: "loihi", temporalNorm: "approx" });
    assert.ok(r.files.has("network.net"));
    assert.match(r.files.get("report.txt") as string, /approx-temporal-norm:\n .* NOT exact/);
    assert.match(r.files.get("report.txt") as string, /all layers: [\d.]+% of spike slots agree/);
  }
});

/** What these tests read of the result of verify on a Loihi target. */
interface LoihiVerifyResult {
  ok: boolean;
  spikesDiffering: number;
  samples: number;
  membranes: { compared: number; differing: number; first: string | null };
  floatAgreement: { spikeAgreement: number; perLayer: { latency: number }[]; readout: { samples: number } };
  gates: { ok: boolean; failures: string[] };
}

test("verify: both integer engines agree on every spike, u and v; float agreement is measured", async () => {
  for (const f of ["tdbn", "residual-add", "keras-misc", "mpbn-channel", "mpbn-element", "plif"]) {
    const g = await loadModel(`fixtures/${f}/model.json`);
    const inputs = [...readInputs(`fixtures/${f}/input.json`, g), ...randomInputs(g, 2, 4)];
    const r = (await driverFor("loihi").verify(g, { target: "loihi", inputs })) as unknown as LoihiVerifyResult;
    // ok = the engines agree AND the agreement gates pass; the engines must agree on every fixture
    assert.equal(r.ok, r.gates.ok, `${f}: ${r.gates.failures.join("; ")}`);
    assert.equal(r.spikesDiffering, 0);
    assert.equal(r.membranes.differing, 0);
    assert.ok(r.membranes.compared > 0);
    assert.equal(r.samples, 3);
    const agree = r.floatAgreement;
    assert.ok(agree.spikeAgreement > 0.9 && agree.spikeAgreement <= 1, `${f}: ${agree.spikeAgreement}`);
    assert.ok(agree.perLayer.every((l: { latency: number }) => l.latency >= 1));
    assert.equal(agree.readout.samples, 3);
  }
});

test("verify fails on an injected fixed-point bug in the event-driven engine", async () => {
  const g = await loadModel("fixtures/tdbn/model.json");
  const d = makeLoihiDriver({ fault: "drop-first-event" });
  const r = (await d.verify(g, {
    target: "loihi",
    inputs: readInputs("fixtures/tdbn/input.json", g),
  })) as unknown as LoihiVerifyResult;
  assert.equal(r.ok, false);
  assert.ok(r.membranes.differing > 0);
  assert.match(
    r.membranes.first ?? "",
    /^[uv] of '\w+' neuron \d+ at step \d+: time-stepped -?\d+, event-driven -?\d+$/,
  );
});

const cli = (args: string[], env: Record<string, string> = {}) => snnc(args, { env });

test("snnc verify --target loihi: exit 0 on an expressible fixture, 1 with an injected bug; refusals exit 4 in one line", () => {
  const ok = cli(["verify", "fixtures/time-distributed/model.json", "--target", "loihi", "--random", "2"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /verify --target loihi2: OK, equivalent/);
  const bad = cli(["verify", "fixtures/time-distributed/model.json", "--target", "loihi", "--random", "2"], {
    SNNC_FIXED_FAULT: "drop-first-event",
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAILED, spikes differ/);
  const refused = cli(["verify", "fixtures/mlp-dense/model.json", "--target", "loihi1"]);
  assert.equal(refused.code, 4);
  assert.equal(refused.stderr.trim().split("\n").length, 1);
  assert.match(
    refused.stderr,
    /layer 'if1': parameter 'reset': soft reset \(v = h − θ·s\) is not expressible on loihi1/,
  );
  const t = cli(["targets"]);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /loihi2, loihi\s+8192 neurons\/core, 128 cores\/chip/);
});

test("snnc compile and verify --target loihi: MPBN with thresholds < 0 and v_reset ≠ 0 compile (state offsets) and verify", () => {
  const out = mkdtempSync(join(tmpdir(), "snnc-offset-"));
  try {
    for (const f of ["mpbn-channel", "mpbn-element", "plif"]) {
      const dir = join(out, f);
      const c = cli(["compile", `fixtures/${f}/model.json`, "--target", "loihi", "-o", dir]);
      assert.equal(c.code, 0, `${f}: ${c.stderr}`);
      assert.deepEqual(readdirSync(dir).sort(), ["hwconfig.json", "network.lava.json", "report.txt"]);
      const report = readFileSync(join(dir, "report.txt"), "utf8");
      assert.match(report, /\nState offsets\n-+\nstate offset of '(lif1|plif2)'/);
      const doc = JSON.parse(readFileSync(join(dir, "network.lava.json"), "utf8"));
      assert.ok(
        doc.populations.some((p: { kind: string }) => p.kind === "pulse"),
        `${f}: pulse populations`,
      );
      const v = cli([
        "verify",
        `fixtures/${f}/model.json`,
        "--target",
        "loihi",
        "--input",
        `fixtures/${f}/input.json`,
        "--random",
        "2",
      ]);
      assert.equal(v.code, 0, `${f}: ${v.stdout}${v.stderr}`);
      assert.match(v.stdout, /verify --target loihi2: OK, equivalent/);
      assert.match(v.stdout, /spikes differing 0,/);
      assert.doesNotMatch(v.stdout, /FAILED, spikes differ/);
      assert.match(v.stdout, /u and v: \d+ values compared, 0 differing/);
      assert.match(v.stdout, /all layers: [\d.]+% of spike slots agree/);
    }
    // the event-driven engine's self-recurrent and pulse synapses are checked too: a dropped event is caught
    const bad = cli(["verify", "fixtures/mpbn-channel/model.json", "--target", "loihi", "--random", "2"], {
      SNNC_FIXED_FAULT: "drop-first-event",
    });
    assert.equal(bad.code, 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
