/**
 * A failed run (simulate's pool, compile's agreement) stops its pool only once every worker has
 * loaded its module (or gone): loadedWorkers counts the workers' announcements and the pool's
 * workerDestroy events.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { loadedWorkers, WORKER_LOADED } from "../../src/util/worker-loaded.ts";

/** Whether `p` has settled within a few turns of the event loop. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
}

test("waits for every worker's announcement; other messages do not count", async () => {
  const pool = new EventEmitter();
  const loaded = loadedWorkers(pool, 2);
  const wait = loaded.wait(60_000);
  pool.emit("message", WORKER_LOADED);
  pool.emit("message", "something else");
  pool.emit("message", { [WORKER_LOADED]: true });
  assert.equal(await settled(wait), false, "one of two workers has loaded");
  pool.emit("message", WORKER_LOADED);
  assert.equal(await settled(wait), true);
});

test("a worker that goes without announcing counts; announcements before the wait count", async () => {
  const pool = new EventEmitter();
  const loaded = loadedWorkers(pool, 2);
  pool.emit("message", WORKER_LOADED);
  const wait = loaded.wait(60_000);
  assert.equal(await settled(wait), false);
  pool.emit("workerDestroy", {});
  assert.equal(await settled(wait), true);
  assert.equal(await settled(loaded.wait(60_000)), true, "all have loaded: at once");
});

test("gives up waiting after its time", async () => {
  const pool = new EventEmitter();
  const wait = loadedWorkers(pool, 3).wait(20);
  assert.equal(await settled(wait), false);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(await settled(wait), true);
});
