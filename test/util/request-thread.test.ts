/**
 * Request threads (src/util/request-thread.ts): a thread opened before its set-up is known gets it
 * with `ready` and answers runs in order; one closed while it is still loading its module is
 * stopped only once it has loaded (Node.js 20 can abort the process when a loading worker is
 * terminated). Worker threads load JavaScript only: the workers here import the build in dist/.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const dist = new URL("../../dist/util/request-thread.js", import.meta.url).href;
const codec = { toData: (e: unknown) => String(e), fromData: (d: string) => new Error(d) };

/** A worker module in a fresh directory: `slowMs` of busy loading, a marker file written just before it serves. */
function workerModule(dir: string, slowMs: number): URL {
  const file = join(dir, "worker.mjs");
  writeFileSync(
    file,
    `import { writeFileSync } from "node:fs";
import { serveRequests } from ${JSON.stringify(dist)};
const until = Date.now() + ${slowMs};
while (Date.now() < until);
writeFileSync(${JSON.stringify(join(dir, "loaded"))}, "");
serveRequests((k) => (x) => { if (x < 0) throw new Error("negative"); return { y: k * x }; }, () => [], { toData: (e) => String(e.message), fromData: (d) => new Error(d) });
`,
  );
  return pathToFileURL(file);
}

async function until(f: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (f()) return true;
  return f();
}

test("a thread opened before its set-up answers once ready, in order; errors come back as errors", async () => {
  const { openRequestThread } = (await import(dist)) as typeof import("../../src/util/request-thread.ts");
  const dir = mkdtempSync(join(tmpdir(), "snnc-rt-"));
  try {
    const opening = openRequestThread<number, number, { y: number }, string>(workerModule(dir, 50), codec);
    const t = opening.ready(3, (x) => ({ y: -1 * x }));
    const runs = [t.run(1), t.run(2), t.run(-1)];
    assert.deepEqual(await runs[0], { y: 3 });
    assert.deepEqual(await runs[1], { y: 6 });
    await assert.rejects(runs[2]!, /negative/);
    assert.equal(t.inThisThread(), false);
    t.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("closed while loading, a thread is stopped only once its module has loaded", async () => {
  const { openRequestThread } = (await import(dist)) as typeof import("../../src/util/request-thread.ts");
  const dir = mkdtempSync(join(tmpdir(), "snnc-rt-"));
  try {
    // terminated at once, the busy loading would be cut short and the marker never written
    openRequestThread<number, number, { y: number }, string>(workerModule(dir, 300), codec).close();
    assert.equal(await until(() => existsSync(join(dir, "loaded")), 10_000), true, "the module finished loading");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
