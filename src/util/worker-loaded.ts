/**
 * Worker threads that say when their module has loaded, so that a pool is never stopped while one
 * is still loading: Node.js 20 can abort the whole process (a native `v8::ToLocalChecked` fatal
 * error) when a worker is terminated in the middle of loading its module, and piscina hands tasks
 * to its first workers before they have loaded. Each worker module calls `announceLoaded()` last;
 * the pool's owner waits on `loadedWorkers(pool, threads)` before it destroys a pool early.
 */
import type { EventEmitter } from "node:events";
import { parentPort } from "node:worker_threads";

/** What a worker module posts once it has loaded. */
export const WORKER_LOADED = "snnc:worker-loaded";

/** Called last by each worker module: every module it imports has been evaluated. */
export function announceLoaded(): void {
  parentPort?.postMessage(WORKER_LOADED);
}

/**
 * Counts the workers of a pool that have loaded their module (or gone): `wait(ms)` resolves once
 * `threads` have, or after `ms`.
 */
export function loadedWorkers(pool: EventEmitter, threads: number): { wait(ms: number): Promise<void> } {
  let count = 0;
  let wake: (() => void) | undefined;
  const one = () => {
    if (++count >= threads) wake?.();
  };
  pool.on("message", (m: unknown) => {
    if (m === WORKER_LOADED) one();
  });
  pool.on("workerDestroy", one); // one that died while loading never says it loaded
  return {
    wait(ms) {
      if (count >= threads) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}
