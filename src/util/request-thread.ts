/**
 * One function run in a thread of its own, request by request: the thread is started with its
 * set-up (sent once, copied), each `run(x)` posts an input, and the results come back in the order
 * they were asked for, their array buffers moved (not copied). The thread's module calls
 * `serveRequests` (below) with the function. Used where a second core can take one part of a
 * command while this thread does another (verify: the time-stepped engine and the float reference).
 *
 * A thread that stops before it has answered (it ran out of memory, say) hands its work back:
 * what it had not answered, and every later run, is made in this thread by `here`, which computes
 * the same function. Run from the TypeScript sources (tests), a worker thread cannot load them:
 * the runs are made in this thread then, when asked for (as they are with `inThread`).
 */
import { parentPort, type ResourceLimits, Worker } from "node:worker_threads";
import { announceLoaded, WORKER_LOADED } from "./worker-loaded.ts";

/**
 * How an error crosses between threads as data (a thrown error loses its class on the way): the
 * thread sends `toData(e)`, this one throws `fromData(d)`. src/ir/worker-errors.ts has snnc's.
 */
export interface ErrorCodec<E> {
  toData(e: unknown): E;
  fromData(d: E): Error;
}

export interface RequestThread<I, O> {
  /** The function's result for `x`, made in the other thread. */
  run(x: I): Promise<O>;
  /** Whether the runs are made in this thread (asked for, or handed back by a thread that stopped). */
  inThisThread(): boolean;
  close(): void;
}

export interface RequestThreadOptions {
  /** Make the runs in this thread. */
  inThread?: boolean;
  /** The thread's heap limits (worker_threads' resourceLimits). */
  resourceLimits?: ResourceLimits;
}

/** Whether runs can be made in another thread (compiled JavaScript). */
export const requestThreadsAvailable = !import.meta.url.endsWith(".ts");

type Message<S, I> = { setup: S } | { input: I };
type Reply<O> = { result: O } | { error: unknown };

/**
 * A thread started before its set-up is known (its module loads meanwhile, on another core): `ready`
 * gives it the set-up and returns its runs; `close` stops it unused.
 */
export interface OpeningThread<S, I, O> {
  ready(setup: S, here: (x: I) => O): RequestThread<I, O>;
  close(): void;
}

/** Runs of `here`'s function in the thread of module `worker`, started with `setup`. */
export function startRequestThread<S, I, O, E>(
  worker: URL,
  setup: S,
  here: (x: I) => O,
  errors: ErrorCodec<E>,
  opts: RequestThreadOptions = {},
): RequestThread<I, O> {
  return openRequestThread<S, I, O, E>(worker, errors, opts).ready(setup, here);
}

/**
 * The thread of module `worker`, started now; its set-up follows with `ready`. It is never stopped
 * while it is still loading its module (Node.js 20 can abort the process then, src/util/worker-loaded.ts):
 * a close before the module has said it loaded stops the thread once it has.
 */
export function openRequestThread<S, I, O, E>(
  worker: URL,
  errors: ErrorCodec<E>,
  opts: RequestThreadOptions = {},
): OpeningThread<S, I, O> {
  if (opts.inThread || !requestThreadsAvailable) return inThisThread();
  const thread = new Worker(worker, { resourceLimits: opts.resourceLimits });
  const waiting: { x: I; resolve: (r: O) => void; reject: (e: unknown) => void }[] = [];
  let here: ((x: I) => Promise<O>) | undefined;
  let lost = false;
  let closed = false;
  let loaded = false;
  const stop = () => {
    // a thread still loading is stopped once it has loaded (kept referenced until then)
    if (loaded || lost) void thread.terminate();
  };
  const handBack = () => {
    if (lost) return;
    lost = true;
    thread.unref();
    for (const w of waiting.splice(0)) {
      if (closed || !here) w.reject(new Error("closed"));
      else here(w.x).then(w.resolve, w.reject);
    }
  };
  thread.on("message", (r: Reply<O> | typeof WORKER_LOADED) => {
    if (r === WORKER_LOADED) {
      loaded = true;
      if (closed) stop();
      else if (waiting.length === 0) thread.unref();
      return;
    }
    const w = waiting.shift()!;
    if (waiting.length === 0) thread.unref();
    if ("error" in r) w.reject(errors.fromData(r.error as E));
    else w.resolve(r.result);
  });
  thread.on("error", handBack);
  thread.on("exit", handBack);
  const close = () => {
    closed = true;
    stop();
  };
  return {
    ready(setup, fn) {
      const local = async (x: I) => fn(x);
      here = local;
      if (!lost) thread.postMessage({ setup } satisfies Message<S, I>);
      return {
        run(x) {
          if (lost) return local(x);
          const reply = new Promise<O>((resolve, reject) => waiting.push({ x, resolve, reject }));
          reply.catch(() => undefined); // a run asked for ahead and never awaited (the caller failed first)
          thread.ref();
          thread.postMessage({ input: x } satisfies Message<S, I>);
          return reply;
        },
        inThisThread: () => lost,
        close,
      };
    },
    close,
  };
}

/** The runs made in this thread. */
function inThisThread<S, I, O>(): OpeningThread<S, I, O> {
  return {
    ready: (_setup, fn) => ({ run: async (x: I) => fn(x), inThisThread: () => true, close: () => undefined }),
    close: () => undefined,
  };
}

/**
 * The thread's side: `prepare` makes the function from the set-up; each input is answered with
 * its result (the buffers `buffers` lists moved) or its error (as data).
 */
export function serveRequests<S, I, O, E>(
  prepare: (s: S) => (x: I) => O,
  buffers: (o: O) => ArrayBuffer[],
  errors: ErrorCodec<E>,
): void {
  const port = parentPort!;
  let fn: ((x: I) => O) | undefined;
  // the module has loaded: it may be stopped from now on
  announceLoaded();
  port.on("message", (msg: Message<S, I>) => {
    if ("setup" in msg) {
      fn = prepare(msg.setup);
      return;
    }
    let reply: Reply<O>;
    try {
      reply = { result: fn!(msg.input) };
    } catch (e) {
      reply = { error: errors.toData(e) };
    }
    port.postMessage(reply, "result" in reply ? buffers(reply.result) : []);
  });
}

/** Every distinct array buffer under the typed arrays of `arrays` (a buffer may be listed once only). */
export function distinctBuffers(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) buffers.add(a.buffer as ArrayBuffer);
  return [...buffers];
}
