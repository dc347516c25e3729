/** The CLI's lazy driver lookup (driver/registry.ts) agrees with the library's (driver/index.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { allDrivers, driverFor } from "../../src/driver/index.ts";
import { loadDriver, prepareCompile, targetNames } from "../../src/driver/registry.ts";

test("loadDriver gives the drivers of driver/index.ts, by the same names in the same order, and the same refusal", async () => {
  assert.deepEqual(
    targetNames(),
    allDrivers().flatMap((d) => d.names),
  );
  for (const d of allDrivers()) for (const n of d.names) assert.equal(await loadDriver(n), d, n);
  let expected = "";
  try {
    driverFor("gpu9000");
  } catch (e) {
    expected = (e as Error).message;
  }
  assert.match(expected, /^unknown target 'gpu9000' \(known: float, /);
  await assert.rejects(loadDriver("gpu9000"), (e: Error) => e.message === expected);
});

test("prepareCompile starts HDF5's thread for the Loihi names only, and is idle for others", async () => {
  const { takeNetxWriter } = await import("../../src/loihi/emit/netx-writer.ts");
  for (const name of ["float", "nir", "gpu9000"]) {
    await prepareCompile(name);
    assert.equal(takeNetxWriter(), undefined, name);
  }
  for (const name of ["loihi", "loihi2", "loihi1"]) {
    await prepareCompile(name);
    await prepareCompile(name); // a second call (the command's, after main's) starts nothing more
    const w = takeNetxWriter();
    assert.ok(w, name);
    w.close();
    assert.equal(takeNetxWriter(), undefined, name);
  }
});
