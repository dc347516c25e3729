/** `snnc targets`: the hardware targets described in targets/*.json (plus the compiler's own "float"). */
import type { Command } from "commander";
import { listTargets } from "../../target/load-target.ts";
import { formatTable } from "../format-table.ts";

export function registerTargetsCommand(program: Command): void {
  program
    .command("targets")
    .description("list the hardware targets (targets/*.json): capacities, features and boards")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const ts = listTargets();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ targets: ts }, null, 2)}\n`);
        return;
      }
      const rows = ts.map((t) => [
        [t.name, ...t.aliases].join(", "),
        `${t.neuronsPerCore} neurons/core, ${t.coresPerChip} cores/chip`,
        t.features.join(", ") || "-",
        t.boards
          .map((b) => `${b.name} (${b.chips} chip${b.chips > 1 ? "s" : ""})${b.name === t.defaultBoard ? "*" : ""}`)
          .join(", "),
      ]);
      process.stdout.write(`${formatTable(["target", "capacity", "features", "boards (* default)"], rows)}\n`);
      for (const t of ts) process.stdout.write(`\n${t.name}: ${t.description} [${t.file}]`);
      process.stdout.write(
        "\n\nAlso: float (the folded float64 IR, model.snnc.json). A new targets/<name>.json file adds a target.\n",
      );
    });
}
