/**
 * The real recurrent NIR files on Loihi 2, through the CLI: both Braille models of the NIR paper
 * (CubaLIF layers, one with a recurrent dense) and snnTorch's RLeaky export compile to a Lava
 * process graph (netx cannot hold the recurrence) and verify: both integer engines agree on every
 * spike, u and v, and the float-vs-integer gates pass.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { snnc } from "../../support/cli.ts";
import { tempDir } from "../../support/model-files.ts";
import { PAPER, SNNTORCH } from "./nir-files.ts";

const FILES = [
  { file: join(PAPER, "braille_noDelay_bias_zero.nir"), rec: "lif1.lif", current: true },
  { file: join(PAPER, "braille_noDelay_noBias_subtract.nir"), rec: "lif1.lif", current: true },
  { file: join(SNNTORCH, "snntorch_rleaky.nir"), rec: "1.lif", current: false },
];

interface LavaGraph {
  populations: { id: string; kind: string; du: number; source: string }[];
  connections: { id: string; from: string; to: string; delay: number }[];
}

for (const { file, rec, current } of FILES) {
  const name = file.split("/").pop()!;
  test(`${name}: compile --target loihi2 writes the process graph with the recurrent synapse, and verify passes`, async () => {
    const out = await tempDir();
    const c = snnc(["compile", file, "--target", "loihi2", "-o", out]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /network\.net not written: recurrent synapses \('[^']*w_rec[^']*'/);
    const g = JSON.parse(await readFile(join(out, "network.lava.json"), "utf8")) as LavaGraph;
    const parts = g.populations.filter((p) => p.source === rec).map((p) => p.id);
    assert.ok(parts.length >= 1, `no population of '${rec}'`);
    // the recurrent dense: from the layer (or its parts) back into it, no extra delay (Lava's Dense adds the step)
    const back = g.connections.filter((x) => x.id.includes("w_rec"));
    assert.ok(back.length >= 1 && back.every((x) => parts.includes(x.from) && parts.includes(x.to) && x.delay === 0));
    // its one warm-up step kept silent by an inhibition from the pulse of the step before
    assert.ok(g.connections.some((x) => parts.includes(x.to) && x.id.includes("/inhibit") && x.from === "pulse_0"));
    // CubaLIF: the synaptic current is Lava's u (du < 4095); RLeaky clears its current every step
    const du = g.populations.find((p) => p.id === parts[0])!.du;
    assert.ok(current ? du < 4095 : du === 4095, `du ${du}`);
    const report = await readFile(join(out, "report.txt"), "utf8");
    assert.match(report, /warm-up silence: '/);

    const v = snnc(["verify", file, "--target", "loihi2", "--json"]);
    assert.equal(v.code, 0, v.stderr);
    const r = JSON.parse(v.stdout) as {
      ok: boolean;
      membranes: { compared: number; differing: number };
      gates: { ok: boolean; spikeAgreement: number };
    };
    assert.ok(r.ok && r.gates.ok);
    assert.ok(r.membranes.compared > 0 && r.membranes.differing === 0);
    assert.ok(r.gates.spikeAgreement >= 0.93, `spike agreement ${r.gates.spikeAgreement}`);
  });
}
