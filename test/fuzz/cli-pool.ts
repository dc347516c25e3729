/**
 * Worker threads running the CLI in-process (cli-worker.ts), each command with a time budget. A
 * worker that does not answer within the budget is a hang: it is terminated and replaced. A
 * worker that dies (out of memory, process.exit) is a crash and is replaced too.
 */
import { Worker } from "node:worker_threads";
import type { CliReply, CliRequest } from "./cli-worker.ts";

export type CliOutcome =
  | { kind: "done"; code: number; stdout: string; stderr: string; ms: number }
  | { kind: "thrown"; detail: string; stdout: string; stderr: string; ms: number }
  | { kind: "hang"; ms: number }
  | { kind: "crash"; detail: string; ms: number };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
}

/** A worker loads TypeScript through tsx, registered in the worker itself (loaders are per thread). */
const BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./cli-worker.ts", import.meta.url).href)}); })
  .catch((e) => { throw e; });`;

export class CliPool {
  private slots: Slot[] = [];
  private waiting: ((s: Slot) => void)[] = [];
  private nextId = 1;
  private closed = false;

  private spawned = 0;

  /**
   * `warmup(n)` gives commands each new worker runs before it takes work (the n-th worker
   * spawned): the first command that loads a large module tree or compiles WebAssembly takes
   * seconds, which must not count against a case's budget.
   */
  constructor(
    size: number,
    private readonly opts: { memoryMb?: number; warmup?: (n: number) => string[][] } = {},
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const n = this.spawned++;
    const worker = new Worker(BOOT, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryMb ?? 2048 },
      stdout: true,
      stderr: true,
    });
    // What the worker's code writes past the capture (it should not) is dropped, not interleaved.
    worker.stdout.resume();
    worker.stderr.resume();
    const started = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (m?.ready) {
          worker.off("message", onMsg);
          resolve();
        }
      };
      worker.on("message", onMsg);
      worker.once("error", reject);
    });
    const ready = started.then(async () => {
      for (const args of this.opts.warmup?.(n) ?? []) await this.send(worker, args, 600_000);
    });
    ready.catch(() => {});
    return { worker, ready, busy: false };
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  private replace(slot: Slot): Slot {
    void slot.worker.terminate();
    const fresh = this.spawn();
    fresh.busy = true;
    this.slots[this.slots.indexOf(slot)] = fresh;
    return fresh;
  }

  /** Runs `snnc <args>` in a worker; `budgetMs` bounds the command's own run (not the worker's start). */
  async run(args: string[], budgetMs: number): Promise<CliOutcome> {
    if (this.closed) throw new Error("pool closed");
    let slot = await this.acquire();
    try {
      await slot.ready;
    } catch (e) {
      slot = this.replace(slot);
      this.release(slot);
      return { kind: "crash", detail: `worker failed to start: ${(e as Error).message}`, ms: 0 };
    }
    const outcome = await this.send(slot.worker, args, budgetMs);
    if (outcome.kind === "hang" || outcome.kind === "crash") slot = this.replace(slot);
    this.release(slot);
    return outcome;
  }

  private send(w: Worker, args: string[], budgetMs: number): Promise<CliOutcome> {
    const id = this.nextId++;
    const t0 = Date.now();
    return new Promise<CliOutcome>((resolve) => {
      const done = (o: CliOutcome) => {
        clearTimeout(timer);
        w.off("message", onMsg);
        w.off("error", onErr);
        w.off("exit", onExit);
        resolve(o);
      };
      const onMsg = (m: CliReply) => {
        if (m?.id !== id) return;
        const ms = Date.now() - t0;
        if (m.thrown !== undefined) done({ kind: "thrown", detail: m.thrown, stdout: m.stdout, stderr: m.stderr, ms });
        else done({ kind: "done", code: m.code!, stdout: m.stdout, stderr: m.stderr, ms });
      };
      const onErr = (e: Error) => done({ kind: "crash", detail: `${e.name}: ${e.message}`, ms: Date.now() - t0 });
      const onExit = (c: number) => done({ kind: "crash", detail: `worker exited with ${c}`, ms: Date.now() - t0 });
      const timer = setTimeout(() => done({ kind: "hang", ms: Date.now() - t0 }), budgetMs);
      w.on("message", onMsg);
      w.on("error", onErr);
      w.on("exit", onExit);
      w.postMessage({ id, args } satisfies CliRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
