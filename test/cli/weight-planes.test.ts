/**
 * `--weight-planes 2` on the command line: compile writes the two synapse processes of each split
 * connection into network.lava.json (and no network.net), counts them in hwconfig.json and says so
 * in report.txt; bad values are usage errors that write nothing; by default compile chooses planes
 * where 8-bit weights would make a layer drift, and with one plane forced it suggests them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snnc } from "../support/cli.ts";

const MODEL = "fixtures/tdbn/model.json";

interface LavaConnection {
  id: string;
  from: string;
  to: string;
  kind: string;
  plane?: "high" | "low";
  weight_exp: number;
  num_message_bits: number;
  relay?: { spike_exp: number; processes?: string[]; host?: string };
  weight?: { data: number[] };
  weights?: { data: number[] };
}

test("compile --weight-planes 2: two synapse processes per split connection, relays for conv, no network.net", () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-planes-"));
  try {
    const out = join(dir, "out");
    const r = snnc(["compile", MODEL, "--target", "loihi2", "--weight-planes", "2", "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(out, "network.net")));
    const g = JSON.parse(readFileSync(join(out, "network.lava.json"), "utf8")) as {
      netx: { written: boolean; reason?: string };
      connections: LavaConnection[];
    };
    assert.equal(g.netx.written, false);
    const high = g.connections.filter((c) => c.plane === "high");
    assert.ok(high.length >= 2, `${high.length} split connections`);
    for (const h of high) {
      const low = g.connections.find((c) => c.id === `${h.id}/low`);
      assert.ok(low, `${h.id}/low`);
      assert.equal(low.plane, "low");
      assert.deepEqual([low.from, low.to], [h.from, h.to]);
      const data = (c: LavaConnection) => (c.kind === "conv" ? c.weight! : c.weights!).data;
      for (const w of data(h)) assert.ok(w >= -256 && w <= 255, `${h.id}: ${w}`);
      for (const w of data(low)) assert.ok(Math.abs(w) <= 64, `${low.id}: ${w}`);
      if (h.kind === "conv") {
        assert.equal(h.relay?.spike_exp, 7);
        assert.ok(h.num_message_bits > 0);
        if (h.from !== "input")
          assert.deepEqual(h.relay?.processes, ["lava.proc.sdn.process.Delta", "lava.proc.sdn.process.Sigma"]);
      } else assert.equal(h.weight_exp, low.weight_exp + 7);
    }
    const report = readFileSync(join(out, "report.txt"), "utf8");
    assert.match(report, /two weight planes 2\^7 apart/);
    const hw = readFileSync(join(out, "hwconfig.json"), "utf8");
    assert.match(hw, /weight-plane relays|weight planes from the input/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--weight-planes: a value other than 1 or 2, or a target other than Loihi, is a usage error that writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-planes-"));
  try {
    for (const args of [
      ["--target", "loihi2", "--weight-planes", "3"],
      ["--target", "loihi2", "--weight-planes", "two"],
      ["--target", "float", "--weight-planes", "2"],
    ]) {
      const r = snnc(["compile", MODEL, ...args, "-o", join(dir, "out")]);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /--weight-planes/);
      assert.ok(!existsSync(join(dir, "out")));
    }
    const v = snnc(["verify", MODEL, "--target", "float", "--weight-planes", "2"]);
    assert.equal(v.code, 2);
    // Loihi 1 has no graded spikes, which a conv's high plane takes: the target refuses
    const l1 = snnc(["compile", MODEL, "--target", "loihi1", "--weight-planes", "2", "-o", join(dir, "out")]);
    assert.equal(l1.code, 4);
    assert.match(l1.stderr, /graded spikes/);
    assert.ok(!existsSync(join(dir, "out")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compile chooses weight planes where 8-bit weights drift (cnn_sinabs, not tdbn); with --weight-planes 1 it suggests them", () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-planes-"));
  try {
    const auto = snnc(["compile", "fixtures/nir-paper/cnn_sinabs.nir", "--target", "loihi2", "-o", join(dir, "a")]);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(readFileSync(join(dir, "a", "report.txt"), "utf8"), /weight planes chosen: .*'10'/);
    assert.ok(!existsSync(join(dir, "a", "network.net")));
    const one = snnc([
      "compile",
      "fixtures/nir-paper/cnn_sinabs.nir",
      "--target",
      "loihi2",
      "--weight-planes",
      "1",
      "-o",
      join(dir, "b"),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, /--weight-planes 2 carries 15-bit weights/);
    assert.ok(existsSync(join(dir, "b", "network.net")));
    const tdbn = snnc(["compile", MODEL, "--target", "loihi2", "-o", join(dir, "c")]);
    assert.equal(tdbn.code, 0, tdbn.stderr);
    assert.doesNotMatch(tdbn.stderr, /weight-planes/);
    assert.doesNotMatch(readFileSync(join(dir, "c", "report.txt"), "utf8"), /weight planes/);
    assert.ok(existsSync(join(dir, "c", "network.net")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
