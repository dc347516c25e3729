/** The CLI's lazy driver lookup (driver/registry.ts) agrees with the library's (driver/index.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { allDrivers, driverFor } from "../../src/driver/index.ts";
import { loadDriver, targetNames } from "../../src/driver/registry.ts";

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
