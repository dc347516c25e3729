/**
 * The fuzz run: prepares the corpus (fixtures, their .npy inputs and folded .snnc.json), then runs
 * cases on a pool of worker threads, each with a time budget, and classifies every outcome
 * (classify.ts). Used by the `npm test` smoke (test/fuzz/fuzz-smoke.test.ts) and by
 * `npm run fuzz` (scripts/fuzz.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Corpus, type FuzzCase, makeCase } from "./cases.ts";
import { type CaseClass, classify, OLD_OUTPUT, PASSING } from "./classify.ts";
import { CliPool } from "./cli-pool.ts";
import { type ModelSeed, modelSeeds } from "./seeds.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Time budget of one case, in ms. */
  budgetMs: number;
  workers: number;
  /** Run only these case numbers (to reproduce). */
  only?: readonly number[];
  /** Keep the folders of failing cases here (to look at them). */
  keepDir?: string;
  /** More seed model files (paths from the repository root). */
  extraSeeds?: readonly string[];
  onCase?: (done: number, total: number) => void;
  /** Every case's outcome, as it happens (a log for looking at what the mutations reach). */
  onResult?: (r: {
    index: number;
    cls: CaseClass;
    detail: string;
    mutated: string;
    what: string;
    args: string[];
    /** How long the command took. */
    ms: number;
  }) => void;
}

export interface FuzzFailure {
  index: number;
  cls: CaseClass;
  detail: string;
  seed: string;
  mutated: string;
  what: string;
  args: string[];
  ms: number;
}

export interface FuzzSummary {
  cases: number;
  counts: Partial<Record<CaseClass, number>>;
  failures: FuzzFailure[];
  /** Temporary folders (e.g. snnc-netx-*) left in the run's temporary directory. */
  strayTemp: string[];
  seconds: number;
  slowestMs: number;
}

/** A .npy (float32, C order) holding a nested-array JSON sample. */
function npyOf(sample: unknown): Buffer {
  const dims: number[] = [];
  for (let x = sample; Array.isArray(x); x = x[0]) dims.push(x.length);
  const values = (sample as unknown[]).flat(Number.POSITIVE_INFINITY) as number[];
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(", ")}${dims.length === 1 ? "," : ""}), }`;
  header += `${" ".repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) body.writeFloatLE(v, 4 * i);
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}

async function prepareCorpora(pool: CliPool, work: string, extra: readonly string[]): Promise<Corpus[]> {
  return Promise.all(modelSeeds(ROOT, extra).map((seed) => prepareCorpus(pool, work, seed)));
}

async function prepareCorpus(pool: CliPool, work: string, seed: ModelSeed): Promise<Corpus> {
  const modelFiles = new Map<string, Buffer>();
  if (seed.kind === "tfjs") {
    for (const f of readdirSync(seed.dir)) {
      if (f === "model.json" || f.endsWith(".bin")) modelFiles.set(f, readFileSync(join(seed.dir, f)));
    }
  } else modelFiles.set(seed.model, readFileSync(join(seed.dir, seed.model)));
  const c: Corpus = { seed, modelFiles };
  if (seed.input) {
    c.inputJson = readFileSync(seed.input);
    const doc = JSON.parse(c.inputJson.toString("utf8"));
    if (Array.isArray(doc)) c.inputNpy = npyOf(doc);
  }
  if (seed.kind === "tfjs") {
    const dir = join(work, `seed-${seed.name}`);
    const r = await pool.run(["compile", join(seed.dir, seed.model), "--target", "float", "-o", dir], 300_000);
    if (r.kind === "done" && r.code === 0) c.snncJson = readFileSync(join(dir, "model.snnc.json"));
  }
  return c;
}

function materialize(c: FuzzCase, dir: string): string[] {
  mkdirSync(join(dir, "m"), { recursive: true });
  for (const [rel, bytes] of c.files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  if (c.oldOutput) {
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", OLD_OUTPUT.name), OLD_OUTPUT.text);
  }
  return c.args.map((a) => a.replaceAll("{case}", dir));
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  if (!existsSync(join(ROOT, "dist/bundle/main.js")))
    throw new Error("the fuzzer runs the built command: run 'npm run build' first");
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), "snnc-fuzz-"));
  const tdbn = join(ROOT, "fixtures", "tdbn", "model.json");
  const pool = new CliPool(opts.workers, {
    warmup: (n) => [
      ["compile", tdbn, "--target", "loihi", "-o", join(root, `warm-${n}`)],
      ["verify", tdbn, "--target", "loihi", "--random", "1"],
    ],
  });
  const savedTmp = process.env.TMPDIR;
  try {
    const corpora = await prepareCorpora(pool, root, opts.extraSeeds ?? []);
    // From here on the commands' own temporary files go to a folder of this run, to be checked at the end.
    const tmp = join(root, "tmp");
    mkdirSync(tmp);
    process.env.TMPDIR = tmp;
    const indices = opts.only ?? Array.from({ length: opts.cases }, (_, i) => i);
    const counts: Partial<Record<CaseClass, number>> = {};
    const failures: FuzzFailure[] = [];
    let done = 0;
    let slowestMs = 0;
    const runOne = async (index: number) => {
      const c = makeCase(opts.seed, index, corpora);
      const dir = join(root, `case-${index}`);
      const args = materialize(c, dir);
      const o = await pool.run(args, opts.budgetMs);
      const { cls, detail } = classify(c, o, dir);
      counts[cls] = (counts[cls] ?? 0) + 1;
      slowestMs = Math.max(slowestMs, o.ms);
      opts.onResult?.({ index, cls, detail, mutated: c.mutated, what: c.what, args: c.args, ms: o.ms });
      if (!PASSING.has(cls)) {
        failures.push({ index, cls, detail, seed: c.seed, mutated: c.mutated, what: c.what, args: c.args, ms: o.ms });
        if (opts.keepDir) {
          mkdirSync(opts.keepDir, { recursive: true });
          rmSync(join(opts.keepDir, `case-${index}`), { recursive: true, force: true });
          materialize(c, join(opts.keepDir, `case-${index}`));
        }
      }
      rmSync(dir, { recursive: true, force: true });
      opts.onCase?.(++done, indices.length);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.workers }, async () => {
        while (next < indices.length) await runOne(indices[next++]!);
      }),
    );
    const strayTemp = readdirSync(tmp).filter((f) => f.startsWith("snnc"));
    return { cases: indices.length, counts, failures, strayTemp, seconds: (Date.now() - t0) / 1000, slowestMs };
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await pool.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** A summary as text: counts per class, then each failure with what reproduces it. */
export function formatSummary(s: FuzzSummary, seed: number): string {
  const lines = [
    `${s.cases} cases in ${s.seconds.toFixed(0)} s (slowest ${(s.slowestMs / 1000).toFixed(1)} s), seed ${seed}:`,
    ...Object.entries(s.counts)
      .sort((a, b) => b[1]! - a[1]!)
      .map(([k, v]) => `  ${k.padEnd(15)} ${v}`),
  ];
  if (s.strayTemp.length) lines.push(`  temporary files left: ${s.strayTemp.join(", ")}`);
  for (const f of s.failures.slice(0, 50)) {
    lines.push(
      `FAIL case ${f.index} [${f.cls}] ${f.seed}: ${f.mutated} (${f.what}); snnc ${f.args.join(" ")}: ${f.detail}`,
    );
  }
  if (s.failures.length > 50) lines.push(`… and ${s.failures.length - 50} more`);
  return lines.join("\n");
}
