/**
 * `compile -o <dir>` leaves either the old output or all of the new one: a write that fails (a
 * file size limit) exits non-zero with nothing new left behind; SIGTERM removes every temporary
 * file and directory and exits 143; a process killed between the two
 * renames of the swap leaves the old output aside, and the next run puts it back.
 *
 * These run snnc in a process of its own (from the sources), with a module loaded first that
 * sends the signal at the exact point under test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { ROOT } from "../support/cli.ts";
import { editJson, FIXTURES, fixtureCopy, tempDir } from "../support/model-files.ts";
import { oneErrorLine, runMain } from "./in-process.ts";

const TDBN = join(FIXTURES, "tdbn", "model.json");
const SOURCE_CLI = join(ROOT, "test", "cli", "snnc-source.ts");
const BUILT_CLI = join(ROOT, "bin", "snnc.js");

interface Spawned {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The temporary folder the spawned processes use (so that what they leave there can be seen). */
let tmp: string | undefined;

/** snnc from the sources, or with `built` the command as it ships (bin/snnc.js on dist/). */
async function spawnSnnc(
  args: string[],
  opts: { patch?: string; fileLimitBlocks?: number; built?: boolean } = {},
): Promise<Spawned> {
  tmp ??= await tempDir();
  const node = [
    ...(opts.built ? [] : ["--import", "tsx"]),
    ...(opts.patch ? ["--import", pathToFileURL(opts.patch).href] : []),
    opts.built ? BUILT_CLI : SOURCE_CLI,
    ...args,
  ];
  const [cmd, argv] =
    opts.fileLimitBlocks === undefined
      ? [process.execPath, node]
      : ["sh", ["-c", `ulimit -f ${opts.fileLimitBlocks} && exec "$0" "$@"`, process.execPath, ...node]];
  const r = spawnSync(cmd, argv, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TMPDIR: tmp, SNNC_DEBUG: "" },
    timeout: 300_000,
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

/** A module that patches one fs function (also for `import { f } from "node:fs"`). */
async function patchModule(name: string, fn: string, body: string): Promise<string> {
  const p = join(await tempDir(), `${name}.mjs`);
  await writeFile(
    p,
    `import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const original = fs.${fn};
let calls = 0;
fs.${fn} = function (...args) {
  calls++;
${body}
};
syncBuiltinESMExports();
`,
  );
  return p;
}

async function leftovers(dir: string): Promise<string[]> {
  const mine = (await readdir(dir)).filter((f) => f.includes(".snnc-new-") || f.includes(".snnc-old"));
  const temporary = tmp ? (await readdir(tmp)).filter((f) => f.startsWith("snnc")) : []; // nothing of snnc's may stay there
  return [...mine, ...temporary];
}

/** The output folder holds the old output or every new file, nothing in between. */
function assertOldOrNew(files: string[], fresh: string[]): void {
  const got = JSON.stringify([...files].sort());
  assert.ok(got === '["old.txt"]' || got === JSON.stringify(fresh), got);
}

async function oldOutput(): Promise<{ dir: string; out: string }> {
  const dir = await tempDir();
  const out = join(dir, "out");
  await mkdir(out);
  await writeFile(join(out, "old.txt"), "the previous output\n");
  return { dir, out };
}

describe("atomic outputs", () => {
  for (const built of [false, true]) {
    const how = built ? "as built" : "from the sources";
    test(`${how}: a file size limit, exit 74, one line, the old output intact, nothing new (not exit 0 with a cut network.net)`, async () => {
      const { dir, out } = await oldOutput();
      const r = await spawnSnnc(["compile", TDBN, "--target", "loihi", "-o", out], { fileLimitBlocks: 10, built });
      assert.equal(r.status, 74, r.stderr);
      const line = oneErrorLine(r.stderr);
      assert.ok(line?.includes("network.net"), r.stderr);
      assert.ok(!r.stderr.includes("HDF5-DIAG"), r.stderr);
      assert.deepEqual(await readdir(out), ["old.txt"]);
      assert.deepEqual(await leftovers(dir), []);
    });

    test(`${how}: SIGTERM while network.net is written, exit 143, no temporary directory left`, async () => {
      const { dir, out } = await oldOutput();
      const patch = await patchModule(
        `term-in-netx-${built ? "built" : "sources"}`,
        "openSync",
        `  if (String(args[0]).endsWith("network.net")) process.kill(process.pid, "SIGTERM");
  return original.apply(this, args);`,
      );
      const r = await spawnSnnc(["compile", TDBN, "--target", "loihi", "-o", out], { patch, built });
      assert.equal(r.status, 143, `status ${r.status} signal ${r.signal} ${r.stderr}`);
      assertOldOrNew(await readdir(out), ["hwconfig.json", "network.lava.json", "network.net", "report.txt"]);
      assert.deepEqual(await leftovers(dir), []);
    });
  }

  test("SIGTERM while the output files are written: exit 143, no staging directory, old or new whole", async () => {
    const { dir, out } = await oldOutput();
    const patch = await patchModule(
      "term-in-write",
      "fsyncSync",
      `  if (calls === 1) process.kill(process.pid, "SIGTERM");
  return original.apply(this, args);`,
    );
    const r = await spawnSnnc(["compile", TDBN, "--target", "float", "-o", out], { patch });
    assert.equal(r.status, 143, `status ${r.status} signal ${r.signal} ${r.stderr}`);
    assertOldOrNew(await readdir(out), ["model.snnc.json", "report.txt"]);
    assert.deepEqual(await leftovers(dir), []);
  });

  test("killed between the two renames: the next run puts the old output back", async () => {
    const { dir, out } = await oldOutput();
    const patch = await patchModule(
      "kill-between-renames",
      "renameSync",
      `  const r = original.apply(this, args);
  if (String(args[0]).endsWith("/out")) process.kill(process.pid, "SIGKILL");
  return r;`,
    );
    const r = await spawnSnnc(["compile", TDBN, "--target", "float", "-o", out], { patch });
    assert.equal(r.signal, "SIGKILL", r.stderr);
    assert.ok(!existsSync(out), "the patch should have stopped the swap half-way");

    // A later run, even one that fails, restores the old output first.
    const bad = await fixtureCopy("tdbn");
    await editJson(bad, (j) => {
      j.userDefinedMetadata.snn.timesteps = -1;
    });
    const next = await runMain(["compile", bad, "--target", "float", "-o", out]);
    assert.equal(next.code, 3, next.stderr);
    assert.equal(await readFile(join(out, "old.txt"), "utf8"), "the previous output\n");
    assert.deepEqual(await leftovers(dir), []);
  });

  test("an output path under a file: exit 74, nothing created", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "x");
    const r = await runMain(["compile", TDBN, "--target", "float", "-o", join(dir, "file", "sub", "out")]);
    assert.equal(r.code, 74, r.stderr);
    assert.ok(oneErrorLine(r.stderr), r.stderr);
    assert.deepEqual(await readdir(dir), ["file"]);
  });

  test("an output path no mkdir can create (below /proc): exit 74 at once, no hang", {
    skip: process.platform !== "linux",
  }, () => {
    // Node's recursive mkdir loops for ever here; the writer creates one level at a time
    for (const out of ["/proc/snnc-none/out", "/proc/self/snnc-none/out"]) {
      const r = spawnSync(
        process.execPath,
        [join(ROOT, "bin", "snnc.js"), "compile", TDBN, "--target", "float", "-o", out],
        {
          encoding: "utf8",
          timeout: 20_000,
          killSignal: "SIGKILL",
        },
      );
      assert.equal(r.signal, null, `${out}: killed after 20 s`);
      assert.equal(r.status, 74, r.stderr);
      assert.match(r.stderr, /^snnc: error: [^\n]*cannot create the output directory's parent \(ENOENT\)\n$/);
    }
  });

  test("a successful write replaces the old output and leaves nothing beside it", async () => {
    const { dir, out } = await oldOutput();
    const r = await runMain(["compile", TDBN, "--target", "float", "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ["model.snnc.json", "report.txt"]);
    assert.deepEqual(await readdir(dir), ["out"]);
  });
});
