/** `snnc inspect <model>`: a table of layers (type, shape, neuron, norms, parameter counts). */
import type { Command } from "commander";
import { SnncError } from "../../ir/errors.ts";
import { summarizeGraph, type LayerSummary } from "../../ir/summary.ts";
import { loadModel, loadOptions } from "../common.ts";
import { formatTable } from "../format-table.ts";

function neuronCell(l: LayerSummary): string {
  const n = l.neuron;
  if (!n) return "";
  const parts = [n.model];
  if (n.tau !== 1) parts.push(`τ=${+n.tau.toPrecision(6)}`);
  parts.push(
    `θ=${typeof n.threshold === "number" ? +n.threshold.toPrecision(6) : n.threshold}`,
    n.fire === "ge" ? ">=" : ">",
    `${n.reset} reset`,
  );
  if (n.vReset !== 0) parts.push(`v_reset=${typeof n.vReset === "number" ? +n.vReset.toPrecision(6) : n.vReset}`);
  if (n.deltas) parts.push(`Δ=[${n.deltas.map((d) => +d.toPrecision(4)).join(",")}]`);
  return parts.join(" ");
}

/**
 * inspect only reads: a model it cannot read is bad input (exit 3), whatever the reader's reason.
 * Exit 4 (cannot be compiled for a target) belongs to the commands that compile.
 */
function unreadable(e: unknown): unknown {
  if (!(e instanceof SnncError) || e.exitCode !== 4) return e;
  return new SnncError("E_FORMAT", e.detail, { file: e.file, layer: e.layer, param: e.param });
}

export function registerInspectCommand(program: Command): void {
  program
    .command("inspect")
    .description("show the layers of a model: type, output shape, neuron, norms, parameter counts")
    .argument("<model>", "model.json (TF.js), .snnc.json")
    .option("--json", "print JSON (schema: src/cli/schemas/inspect.schema.json)")
    .action(async (model: string, opts: { json?: boolean }) => {
      const g = await loadModel(model, loadOptions(opts)).catch((e: unknown) => {
        throw unreadable(e);
      });
      const s = summarizeGraph(g);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ model, ...s }, null, 2)}\n`);
        return;
      }
      const rows = s.layers.map((l) => [
        l.name,
        l.type,
        `[${l.shape.join("×")}]`,
        neuronCell(l),
        l.norms.join(", "),
        l.params,
      ]);
      process.stdout.write(
        `model ${model}: ${s.name}, T=${s.timesteps}, encoding ${s.encoding}, input [${s.input.join("×")}]\n\n`,
      );
      process.stdout.write(`${formatTable(["layer", "type", "shape", "neuron", "norms", "params"], rows)}\n\n`);
      process.stdout.write(`${s.totals.layers} layers, ${s.totals.neurons} neurons, ${s.totals.params} parameters\n`);
    });
}
