/**
 * Gather the Lava runs of run-all.sh into test/loihi/lava-vectors.json: per case, Lava's raster
 * (indices that spiked at each step) and SHA-256 of its u and v tables per layer. The unit test
 * lava-vectors.test.ts reproduces them with snnc's simulator, so CI carries Lava's integer vectors
 * without Lava.
 * Usage: node --import tsx test/loihi/lava-check/collect.ts OUT_DIR VECTORS.json [--update]
 * With --update the cases of OUT_DIR replace the same cases (model, input, then, form) in
 * VECTORS.json and the others stay; without it VECTORS.json holds exactly the cases of OUT_DIR.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableHash } from "./check-data.ts";

const [out, dest, flag] = process.argv.slice(2);
if (!out || !dest) {
  process.stderr.write("usage: collect.ts OUT_DIR VECTORS.json\n");
  process.exit(2);
}
/** What export.ts wrote into check.json (the fields collected here). */
interface CheckJson {
  model: string;
  input_file: string;
  then_file?: string;
  form: string;
  temporal_norm: string;
  weight_planes?: number;
  target: string;
  steps: number;
}

/** What run_netx_check.py / run_lava_graph_check.py wrote into result.json. */
interface LayerResult {
  id: string;
  lava: { raster: number[][]; u_sha256: string; v_sha256: string; s_sha256?: string; r_sha256?: string };
}
interface ResultJson {
  match: boolean;
  layers?: LayerResult[];
  populations?: LayerResult[];
}

/** Rasters with more spikes than this are stored as their hash. */
const RASTER_KEPT = 5000;

const cases: unknown[] = [];
for (const d of readdirSync(out).sort()) {
  let chk: CheckJson;
  let res: ResultJson;
  try {
    chk = JSON.parse(readFileSync(join(out, d, "check.json"), "utf8"));
    res = JSON.parse(readFileSync(join(out, d, "result.json"), "utf8"));
  } catch {
    continue;
  }
  if (!res.match) continue;
  // a large raster (thousands of spikes) is kept as its SHA-256, like u and v
  const large = (r: number[][]) => r.reduce((n, x) => n + x.length, 0) > RASTER_KEPT;
  const layers = (res.layers ?? res.populations ?? []).map((l) => ({
    id: l.id,
    ...(large(l.lava.raster) ? { raster_sha256: tableHash(l.lava.raster) } : { raster: l.lava.raster }),
    u_sha256: l.lava.u_sha256,
    v_sha256: l.lava.v_sha256,
    ...(l.lava.s_sha256 ? { s_sha256: l.lava.s_sha256 } : {}),
    ...(l.lava.r_sha256 ? { r_sha256: l.lava.r_sha256 } : {}),
  }));
  cases.push({
    model: chk.model,
    input: chk.input_file,
    // biome-ignore lint/suspicious/noThenProperty: lava-vectors.json names a case's second sample `then`; these objects are only serialised, never awaited
    ...(chk.then_file ? { then: chk.then_file } : {}),
    form: chk.form,
    temporalNorm: chk.temporal_norm,
    ...(chk.weight_planes === 2 ? { weightPlanes: 2 } : {}),
    target: chk.target,
    steps: chk.steps,
    layers,
  });
}
/** A case's identity: what it runs, on which input(s), in which form. */
const key = (c: unknown) => {
  const o = c as Record<string, unknown>;
  return JSON.stringify([o.model, o.input, o.then ?? null, o.form, o.temporalNorm, o.weightPlanes ?? 1]);
};
if (flag === "--update" && existsSync(dest)) {
  const fresh = new Map(cases.map((c) => [key(c), c]));
  const old = (JSON.parse(readFileSync(dest, "utf8")) as { cases: unknown[] }).cases;
  const merged = old.map((c) => fresh.get(key(c)) ?? c);
  const known = new Set(old.map(key));
  cases.splice(0, cases.length, ...merged, ...cases.filter((c) => !known.has(key(c))));
}
writeFileSync(
  dest,
  `${JSON.stringify(
    { source: "Lava fixed_pt runs (lava-nc/lava, lava-nc/lava-dl netx); see docs/LOIHI-CHECK.md", cases },
    null,
    1,
  )}\n`,
);
process.stdout.write(`${cases.length} matching cases → ${dest}\n`);
