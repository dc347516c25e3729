/**
 * Helpers of hdf5-decode.test.ts: where two trees first differ, random trees for snnc's encoder,
 * seeded mutations of a file's bytes, and a worker thread that decodes mutated files under a time
 * budget (a decoder caught in a loop is stopped and named, not waited for).
 */
import { parentPort, Worker, workerData } from "node:worker_threads";
import fc from "fast-check";
import { decodeHdf5, Hdf5Unsupported } from "../../src/util/hdf5-decode.ts";
import type { H5Dataset as EncodedDataset, H5Group as EncodedGroup } from "../../src/util/hdf5-encode.ts";
import { childPath, type H5Dataset, type H5Group } from "../../src/util/hdf5-tree.ts";
import { mulberry32 } from "../../src/util/prng.ts";

type Node = H5Group | H5Dataset;

const show = (x: unknown): string =>
  typeof x === "number" && Object.is(x, -0) ? "-0" : (JSON.stringify(x) ?? String(x));

/** The set keys of a node (a key holding `undefined` counts as absent). */
const keysOf = (n: object): string =>
  Object.entries(n)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort()
    .join(",");

/**
 * Where `got` first differs from `want`, or undefined when they are the same tree: children in the
 * same order, the same keys, numbers a Float64Array equal element by element as Object.is has it
 * (NaN is NaN whatever its bits, -0 is not 0).
 */
export function treeDifference(want: Node, got: Node | undefined, at = "/"): string | undefined {
  if (!got || got.kind !== want.kind) return `${at}: a ${want.kind}, read as ${got?.kind ?? "nothing"}`;
  if (got.path !== want.path) return `${at}: path ${show(got.path)}, expected ${show(want.path)}`;
  if (keysOf(got) !== keysOf(want)) return `${at}: keys ${keysOf(got)}, expected ${keysOf(want)}`;
  if (want.kind === "group") {
    const g = got as H5Group;
    if (!(g.children instanceof Map)) return `${at}: children are not a Map`;
    const names = [...want.children.keys()];
    if (show([...g.children.keys()]) !== show(names))
      return `${at}: children ${show([...g.children.keys()])}, expected ${show(names)}`;
    for (const name of names) {
      const d = treeDifference(want.children.get(name)!, g.children.get(name), childPath(at, name));
      if (d) return d;
    }
    return undefined;
  }
  const d = got as H5Dataset;
  if (d.dtype !== want.dtype) return `${at}: dtype ${show(d.dtype)}, expected ${show(want.dtype)}`;
  if (!Array.isArray(d.shape) || show(d.shape) !== show(want.shape))
    return `${at}: shape ${show(d.shape)}, expected ${show(want.shape)}`;
  if (want.numbers) {
    if (!(d.numbers instanceof Float64Array)) return `${at}: numbers are not a Float64Array`;
    if (d.numbers.length !== want.numbers.length)
      return `${at}: ${d.numbers.length} numbers, expected ${want.numbers.length}`;
    for (let i = 0; i < want.numbers.length; i++)
      if (!Object.is(d.numbers[i], want.numbers[i]))
        return `${at}[${i}]: ${show(d.numbers[i])}, expected ${show(want.numbers[i])}`;
  }
  if (want.strings) {
    if (!Array.isArray(d.strings)) return `${at}: strings are not an array`;
    if (d.strings.length !== want.strings.length)
      return `${at}: ${d.strings.length} strings, expected ${want.strings.length}`;
    for (let i = 0; i < want.strings.length; i++)
      if (d.strings[i] !== want.strings[i])
        return `${at}[${i}]: ${show(d.strings[i])}, expected ${show(want.strings[i])}`;
  }
  return undefined;
}

/** What is wrong with a tree on its own (values that do not fill the shape, and the like), if anything. */
export function treeProblem(n: Node, at = "/"): string | undefined {
  if (n?.kind === "group") {
    if (!(n.children instanceof Map)) return `${at}: children are not a Map`;
    for (const [name, c] of n.children) {
      const p = treeProblem(c, childPath(at, name));
      if (p) return p;
    }
    return undefined;
  }
  if (n?.kind !== "dataset") return `${at}: neither a group nor a dataset`;
  if (!Array.isArray(n.shape) || !n.shape.every((x) => Number.isSafeInteger(x) && x >= 0))
    return `${at}: shape ${show(n.shape)}`;
  const count = n.shape.reduce((a, b) => a * b, 1);
  const values = n.numbers ?? n.strings;
  if (!values || (n.numbers && n.strings)) return `${at}: not exactly one of numbers and strings`;
  if (values.length !== count) return `${at}: ${values.length} values for shape ${show(n.shape)}`;
  if (n.strings && !n.strings.every((s) => typeof s === "string")) return `${at}: a string that is not a string`;
  return undefined;
}

// ---- random trees for snnc's encoder (as test/util/hdf5-encode.test.ts makes them) ----

const name = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.\- ]{1,12}$/).filter((s) => s !== "." && s !== "..") },
  // Names a byte-order sort (libhdf5's) and a UTF-16 sort (the tree's) put in different orders.
  { weight: 1, arbitrary: fc.constantFrom("ノード", "café", "cafe", "\uff21", "\u{1F600}", "é", "Z", "_") },
);
const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("", "café", "ノード", "a\u{1F600}b"));
/** Mostly integers a float64 holds exactly; now and then one it does not (libhdf5's reader refuses those). */
const int64 = fc.oneof(
  { weight: 30, arbitrary: fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
);
const dataset: fc.Arbitrary<EncodedDataset> = fc.oneof(
  shape.chain((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const of = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: n, maxLength: n });
    return fc.oneof(
      of(fc.double()).map((v): EncodedDataset => ({ kind: "float", data: Float64Array.from(v), shape: s })),
      of(text).map((v): EncodedDataset => ({ kind: "string", data: v, shape: s })),
      of(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })).map(
        (v): EncodedDataset => ({ kind: "int", data: Int32Array.from(v), shape: s }),
      ),
      of(int64).map((v): EncodedDataset => ({ kind: "int", data: BigInt64Array.from(v), shape: s })),
    );
  }),
  fc
    .integer({ min: 1, max: 12 })
    .chain((size) =>
      fc
        .array(fc.stringMatching(new RegExp(`^[a-zA-Z0-9 ]{0,${size}}$`)), { minLength: 1, maxLength: 3 })
        .map(
          (v): EncodedDataset => ({ kind: "fixed-string", size, data: v.map((x) => x.trimEnd()), shape: [v.length] }),
        ),
    ),
);
export const encodedTree = fc.letrec<{ tree: EncodedGroup }>((tie) => ({
  tree: fc
    .uniqueArray(fc.tuple(name, fc.oneof({ depthSize: "small" }, dataset, tie("tree"))), {
      selector: ([n]) => n,
      maxLength: 7,
    })
    .map((kids): EncodedGroup => ({ kind: "group", children: new Map(kids) })),
})).tree;

// ---- mutations ----

export interface Mutated {
  bytes: Uint8Array;
  what: string;
}

const SIGNATURES = ["TREE", "HEAP", "SNOD", "GCOL", "OHDR", "OCHK"];

/** Where a file's structures are: the targets of every 8-byte value that could be an address, and where those values sit. */
export function structureOf(bytes: Uint8Array): { fields: number[]; targets: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: number[] = [];
  const targets = new Set<number>();
  for (let o = 0; o + 8 <= bytes.length; o++) {
    const v = view.getBigUint64(o, true);
    if ((v > 0n && v < BigInt(bytes.length)) || v === 0xffffffffffffffffn) {
      fields.push(o);
      if (v < BigInt(bytes.length)) targets.add(Number(v));
    }
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  for (const sig of SIGNATURES) for (let i = text.indexOf(sig); i >= 0; i = text.indexOf(sig, i + 1)) targets.add(i);
  return { fields, targets: [...targets].sort((a, b) => a - b) };
}

/** One seeded mutation of `src`: bytes flipped, an address or a length overwritten, the file cut short, or a few of these. */
export function mutate(src: Uint8Array, where: ReturnType<typeof structureOf>, rand: () => number): Mutated {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  let bytes = src.slice();
  const notes: string[] = [];
  // An offset in the first bytes of some structure, or anywhere.
  const hot = () => (where.targets.length && rand() < 0.7 ? pick(where.targets) + int(48) : int(bytes.length));
  const step = (kind: number) => {
    if (bytes.length < 8) return;
    const view = new DataView(bytes.buffer);
    if (kind === 0) {
      const n = 1 + int(4);
      for (let i = 0; i < n; i++) {
        const at = Math.min(hot(), bytes.length - 1);
        bytes[at]! ^= 1 + int(255);
        notes.push(`flip @${at}`);
      }
    } else if (kind === 1 && where.fields.length) {
      const at = pick(where.fields);
      const len = BigInt(bytes.length);
      const value = pick([
        () => BigInt(int(bytes.length)),
        () => BigInt(where.targets.length ? pick(where.targets) : 0),
        () => BigInt(Math.max(0, at - int(64))),
        () => len - BigInt(int(16)),
        () => len + BigInt(int(64)),
        () => 0n,
        () => 0xffffffffffffffffn,
        () => 2n ** 32n + BigInt(int(64)),
        () => 2n ** 53n + BigInt(int(64)),
        () => 2n ** 63n,
      ])();
      view.setBigUint64(at, BigInt.asUintN(64, value), true);
      notes.push(`address @${at} := ${value}`);
    } else if (kind === 2) {
      const at = Math.min(hot(), bytes.length - 4);
      const wide = rand() < 0.5;
      const old = wide ? view.getUint32(at, true) : view.getUint16(at, true);
      const max = wide ? 0xffffffff : 0xffff;
      const value = pick([0, 1, 2, 7, 8, 0xff, max, old + 1, old - 1, old * 2, old + 8, int(max + 1)]) & max;
      if (wide) view.setUint32(at, value >>> 0, true);
      else view.setUint16(at, value, true);
      notes.push(`u${wide ? 32 : 16} @${at} := ${value >>> 0}`);
    } else {
      const keep = rand() < 0.3 ? int(Math.min(bytes.length, 256)) : int(bytes.length);
      bytes = bytes.slice(0, keep);
      notes.push(`cut to ${keep}`);
    }
  };
  const r = rand();
  if (r < 0.25) step(0);
  else if (r < 0.6) step(1);
  else if (r < 0.8) step(2);
  else if (r < 0.9) step(3);
  else for (let n = 2 + int(3); n > 0; n--) step(int(3));
  return { bytes, what: notes.join("; ") };
}

// ---- the worker that decodes mutated files ----

export interface MutationJob {
  files: { name: string; bytes: Uint8Array }[];
  perFile: number;
  seed: number;
}

export interface MutationReport {
  decoded: number;
  refused: number;
  /** Mutations after which decodeHdf5 threw something else, or returned a tree that is not whole. */
  failures: string[];
}

const BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })
  .then((m) => m.mutationWorker());`;

/** Runs `job` in a worker thread; rejects, naming the mutation being decoded, if it takes over `budgetMs`. */
export function runMutations(job: MutationJob, budgetMs: number): Promise<MutationReport> {
  const worker = new Worker(BOOT, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  let current = "(none yet)";
  return new Promise<MutationReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`decodeHdf5 did not finish within ${budgetMs} ms; decoding: ${current}`));
    }, budgetMs);
    worker.on("message", (m: { at?: string; done?: MutationReport }) => {
      if (m.at) current = m.at;
      if (m.done) {
        clearTimeout(timer);
        void worker.terminate();
        resolve(m.done);
      }
    });
    worker.on("error", (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`the worker died decoding ${current}: ${e.message}`));
    });
  });
}

/** The worker's side: decodes every mutation, reporting each one before it starts. */
export function mutationWorker(): void {
  const job = workerData as MutationJob;
  const report: MutationReport = { decoded: 0, refused: 0, failures: [] };
  for (const [f, file] of job.files.entries()) {
    const where = structureOf(file.bytes);
    const rand = mulberry32(job.seed + f);
    for (let i = 0; i < job.perFile; i++) {
      const m = mutate(file.bytes, where, rand);
      const label = `${file.name} #${i} (seed ${job.seed + f}): ${m.what}`;
      parentPort!.postMessage({ at: label });
      try {
        const problem = treeProblem(decodeHdf5(m.bytes));
        if (problem) report.failures.push(`${label}: returned a tree with ${problem}`);
        else report.decoded++;
      } catch (e) {
        if (e instanceof Hdf5Unsupported) report.refused++;
        else report.failures.push(`${label}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
  parentPort!.postMessage({ done: report });
}
