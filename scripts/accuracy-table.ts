/**
 * The numbers of docs/ACCURACY.md: every trained fixture (fixtures/digits-*) on the digits test
 * split, as `snnc eval --target loihi2` measures it, plus, per spiking layer, how the Loihi
 * integer model's spikes agree with the float model as written and its scale g (integer units
 * per unit of float current) with the constraint that limited it.
 *
 *     npx tsx scripts/accuracy-table.ts          (from the repository root; a few minutes)
 *
 * Prints Markdown: the accuracy table, the BNTT early-exit table and the per-layer table.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { evaluate, type EvalResult } from "../src/driver/evaluate.ts";
import { loadModel } from "../src/frontends/index.ts";
import { digitsTestSet } from "../src/inputs/digits.ts";
import type { Graph } from "../src/ir/nodes.ts";
import { buildLoihi } from "../src/loihi/build.ts";
import { integerRuns } from "../src/loihi/run.ts";
import { measureAgreement } from "../src/verify/agreement.ts";

const EXIT_THRESHOLDS = [0.1, 0.2, 0.5];
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

function fixtures(): string[] {
  return readdirSync("fixtures")
    .filter((d) => d.startsWith("digits-") && existsSync(join("fixtures", d, "model.onnx")))
    .sort();
}

function accOf(r: EvalResult, model: string): number | undefined {
  return r.models.find((m) => m.model === model)?.accuracy;
}

function layerRows(name: string, g: Graph, samples: ReturnType<typeof digitsTestSet>["samples"]): string[] {
  const b = buildLoihi(g, { target: "loihi2", file: name });
  const agreement = measureAgreement(g, integerRuns(b.quant.model, samples), samples);
  return agreement.perLayer.map((l) => {
    // a layer split by scale (split-scales.ts) is several populations: each with its g
    const qs = b.quant.populations.filter((p) => p.id === l.layer || p.id.startsWith(`${l.layer}_part`));
    const scale = qs.length
      ? qs
          .map((q) => {
            const part = b.quant.splits.flatMap((x) => x.parts).find((x) => x.id === q.id);
            return `${part ? `${part.neurons} neurons: ` : ""}${Number(q.g.toPrecision(4))} (${q.limitedBy})`;
          })
          .join("; ")
      : "-";
    return `| ${name} | ${l.layer} | ${l.neurons} | ${pct(l.agreement)} | ${l.refSpikes} | ${l.fixedSpikes} | ${scale} |`;
  });
}

async function main(): Promise<void> {
  const acc: string[] = [
    "| fixture | T | float (as written) | folded | folded = as written | loihi2 integer | loihi2 − float |",
    "|---|---|---|---|---|---|---|",
  ];
  const early: string[] = [
    "| fixture | γ threshold | exit step | steps saved | float at the exit | folded at the exit | loihi2 at the exit | float over all T |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const layers: string[] = [
    "| fixture | layer | neurons | spike agreement | float spikes | integer spikes | g (what limited it) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const name of fixtures()) {
    const g = await loadModel(join("fixtures", name, "model.onnx"));
    const set = digitsTestSet(g);
    const data = { samples: set.samples, labels: set.labels! };
    const r = await evaluate(g, data, { target: "loihi2", file: name });
    const float = accOf(r, "float")!;
    const loihi = accOf(r, "loihi2");
    const same = r.foldedMismatches.length === 0 ? "yes, 360/360" : `NO: ${r.foldedMismatches.length} differ`;
    const lo = loihi === undefined ? `refused: ${r.refused?.detail}` : pct(loihi);
    const delta = loihi === undefined ? "-" : `${(100 * (loihi - float)).toFixed(2)} points`;
    acc.push(`| ${name} | ${r.timesteps} | ${pct(float)} | ${pct(accOf(r, "folded")!)} | ${same} | ${lo} | ${delta} |`);
    if (loihi !== undefined) layers.push(...layerRows(name, g, set.samples));
    if (!g.nodes.some((n) => n.op === "bntt")) continue;
    for (const thr of EXIT_THRESHOLDS) {
      const e = await evaluate(g, data, { target: "loihi2", earlyExit: thr, file: name });
      const x = e.earlyExit!;
      const at = accOf(e, x.stepsSaved ? "float-at-exit" : "float")!;
      const lx = accOf(e, "loihi2");
      early.push(
        `| ${name} | ${thr} | ${x.exitStep} of ${x.originalT} | ${x.stepsSaved} (${((100 * x.stepsSaved) / x.originalT).toFixed(1)}%) | ${pct(at)} | ${pct(accOf(e, "folded")!)} | ${lx === undefined ? "refused" : pct(lx)} | ${pct(accOf(e, "float")!)} |`,
      );
    }
  }
  process.stdout.write(`${acc.join("\n")}\n\n${early.join("\n")}\n\n${layers.join("\n")}\n`);
}

await main();
