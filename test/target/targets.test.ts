import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { listTargets, loadTarget, loadTargets, TARGETS_DIR } from "../../src/target/load-target.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { ROOT } from "../support/cli.ts";

test("loihi means loihi2; both carry docs/LAVA-FIXED-POINT.md §4 numbers", () => {
  assert.equal(loadTarget("loihi").name, "loihi2");
  const l1 = loadTarget("loihi1");
  assert.equal(l1.chip.cores, 128);
  assert.equal(l1.core.neurons, 1024);
  assert.equal(l1.core.inputAxons, 4096);
  assert.equal(l1.core.outputAxons, 4096);
  assert.equal(l1.core.synapseMemoryBytes, 128 * 1024);
  assert.equal(l1.core.thresholdProfiles, 16);
  assert.equal(l1.features.gradedSpikes, false);
  const l2 = loadTarget("loihi2");
  assert.equal(l2.core.neurons, 8192);
  assert.equal(l2.chip.cores, 128);
  assert.equal(l2.chip.neurons, 1048576);
  assert.equal(l2.chip.synapses, 120_000_000);
  assert.deepEqual(l2.arithmetic.delayRange, [0, 62]);
  assert.equal(l2.features.gradedSpikes, true);
  assert.deepEqual(
    l2.boards.map((b) => [b.name, b.chips]).filter(([n]) => n !== "chip"),
    [
      ["kapoho-point", 8],
      ["hala-point", 1152],
    ],
  );
  // the netx ranges that reproduce exactly (never the known-wrong ones)
  assert.deepEqual(l2.arithmetic.weightRanges, { excitatory: [0, 255], mixed: [-256, 254], inhibitory: [-255, -1] });
});

test("listTargets summarises every file", () => {
  const names = listTargets().map((t) => t.name);
  assert.deepEqual(names, ["loihi1", "loihi2"]);
});

test("a target file dropped into the directory is picked up; a bad one is refused with the file named", () => {
  const dir = mkdtempSync(join(tmpdir(), "snnc-targets-"));
  try {
    copyFileSync(join(TARGETS_DIR, "target.schema.json"), join(dir, "target.schema.json"));
    const t = JSON.parse(readFileSync(join(TARGETS_DIR, "loihi2.json"), "utf8"));
    writeFileSync(
      join(dir, "mychip.json"),
      JSON.stringify({ ...t, name: "mychip", aliases: [], core: { ...t.core, neurons: 100 } }),
    );
    assert.equal(loadTarget("mychip", dir).core.neurons, 100);
    const dir2 = mkdtempSync(join(tmpdir(), "snnc-targets-"));
    copyFileSync(join(TARGETS_DIR, "target.schema.json"), join(dir2, "target.schema.json"));
    writeFileSync(
      join(dir2, "bad.json"),
      JSON.stringify({ ...t, name: "bad", aliases: [], core: { neurons: "many" } }),
    );
    assert.throws(
      () => loadTargets(dir2),
      (e: unknown) =>
        e instanceof SnncError && e.code === "E_SCHEMA" && e.file === "bad.json" && /core/.test(e.message),
    );
    writeFileSync(join(dir2, "bad.json"), JSON.stringify({ ...t, name: "bad2", aliases: [], defaultBoard: "nope" }));
    assert.throws(() => loadTargets(join(dir2, ".")), /defaultBoard 'nope'/);
    rmSync(dir2, { recursive: true });
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.throws(() => loadTarget("truenorth"), /unknown hardware target 'truenorth' \(known: loihi1, loihi2, loihi\)/);
});

test("the compiled program (its validator generated at build time) refuses a bad target file with the same one line", async () => {
  const built = (await import(pathToFileURL(join(ROOT, "dist/target/load-target.js")).href)) as {
    loadTargets: typeof loadTargets;
  };
  const dir = mkdtempSync(join(tmpdir(), "snnc-targets-"));
  try {
    const t = JSON.parse(readFileSync(join(TARGETS_DIR, "loihi2.json"), "utf8"));
    const message = (load: typeof loadTargets): string => {
      try {
        load(dir);
      } catch (e) {
        assert.ok(e instanceof Error && (e as SnncError).code === "E_SCHEMA", String(e));
        return e.message;
      }
      return assert.fail("accepted");
    };
    const bad = { ...t, name: "bad", aliases: [], core: { ...t.core, neurons: "many" } };
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...bad, features: { ...t.features, delays: "yes" } }));
    assert.equal(message(built.loadTargets), "bad.json: /features/delays must be boolean (and 1 more)");
    assert.equal(message(loadTargets), "bad.json: /features/delays must be boolean (and 1 more)");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...bad, core: { ...t.core }, extra: 1 }));
    assert.equal(message(built.loadTargets), message(loadTargets));
    assert.match(message(loadTargets), /^bad\.json: \/ must NOT have additional properties$/);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...t, name: "good", aliases: [] }));
    assert.equal(built.loadTargets(dir)[0]!.name, "good");
  } finally {
    rmSync(dir, { recursive: true });
  }
});
