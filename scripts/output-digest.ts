/**
 * A digest of everything `snnc compile` writes for every shipped model (TF.js, ONNX, NIR) on every
 * target form (float, loihi2, loihi2 with --temporal-norm approx, loihi1), plus `--list-passes`:
 * SHA-256 of each output file, of the command's printed text, and its exit code. Taken before and
 * after a change that must not alter behaviour (a restructuring), two digests must be equal.
 *
 *     npx tsx scripts/output-digest.ts > before.json     (from the repository root; a few minutes)
 *     ... change ...
 *     npx tsx scripts/output-digest.ts > after.json && cmp before.json after.json
 *
 * It runs the CLI in process (src/cli/main.ts), writing into a temporary folder it removes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.ts";

const sha = (b: string | Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Every model file under fixtures/ (not the deliberately broken ones). */
function models(): string[] {
  const out: string[] = [];
  for (const d of readdirSync("fixtures", { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join("fixtures", d.name)))
      if (f === "model.json" || /^model.*\.onnx$/.test(f) || f.endsWith(".nir")) out.push(join("fixtures", d.name, f));
    if (existsSync(join("fixtures", d.name, "tfjs", "model.json")))
      out.push(join("fixtures", d.name, "tfjs", "model.json"));
  }
  return out.sort();
}

/** The CLI on `args`, its stdout and stderr captured (the output folder's name replaced by OUT). */
async function run(args: string[], dir = ""): Promise<{ code: number; text: string }> {
  let text = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (s: string | Uint8Array) => {
    text += String(s);
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const code = await main(["node", "snnc", ...args]);
    return { code, text: dir ? text.replaceAll(dir, "OUT") : text };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const FORMS: [string, string[]][] = [
  ["float", ["--target", "float"]],
  ["loihi2", ["--target", "loihi2"]],
  ["loihi2-approx", ["--target", "loihi2", "--temporal-norm", "approx"]],
  ["loihi1", ["--target", "loihi1"]],
];

const digest: Record<string, string> = {};
const tmp = mkdtempSync(join(tmpdir(), "snnc-digest-"));
try {
  for (const m of models()) {
    for (const [form, args] of FORMS) {
      const dir = join(tmp, "out");
      rmSync(dir, { recursive: true, force: true });
      const r = await run(["compile", m, ...args, "-o", dir], dir);
      const key = `${m} ${form}`;
      digest[`${key} exit`] = String(r.code);
      digest[`${key} printed`] = sha(r.text);
      if (r.code === 0)
        for (const f of readdirSync(dir).sort()) digest[`${key} ${f}`] = sha(readFileSync(join(dir, f)));
    }
  }
  for (const [form, args] of FORMS)
    digest[`--list-passes ${form}`] = sha((await run(["compile", "--list-passes", ...args])).text);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(digest, null, 1)}\n`);
