/** Plain, borderless, aligned tables for terminal output (cli-table3, loaded on first use). */
import { createRequire } from "node:module";
import type TableClass from "cli-table3";

const require = createRequire(import.meta.url);
let Table: typeof TableClass | undefined;

export function formatTable(head: string[], rows: (string | number)[][]): string {
  Table ??= require("cli-table3") as typeof TableClass;
  const t = new Table({
    head,
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const r of rows) t.push(r.map(String));
  return t
    .toString()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}
