/**
 * What a fuzz case's outcome counts as. Only "success" and "clean-error" pass:
 *   success       exit 0 (verify: 0 or 1 with its report), and a compile wrote all its files;
 *   clean-error   exit 3, 4 or 74 with exactly one `snnc: error:` line and the old output untouched;
 *   exit-70       an internal error;
 *   hang          no answer within the time budget;
 *   stack-trace   a stack frame on stderr;
 *   noise         anything else on stderr (several lines, a library's diagnostics);
 *   wrong-code    an exit code that a bad input file must not give (2 is for the command line);
 *   partial-output  files left that should not be: a staging or backup folder, a changed old
 *                 output after a failure, an incomplete output after a success, a temporary folder;
 *   crash         the worker died (out of memory, process.exit) or main() threw.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CliOutcome } from "./cli-pool.ts";
import type { FuzzCase } from "./cases.ts";

export type CaseClass =
  | "success"
  | "clean-error"
  | "exit-70"
  | "hang"
  | "stack-trace"
  | "noise"
  | "wrong-code"
  | "partial-output"
  | "crash";

export const PASSING: ReadonlySet<CaseClass> = new Set(["success", "clean-error"]);

export const OLD_OUTPUT = { name: "old.txt", text: "the previous output\n" };

export function classify(c: FuzzCase, o: CliOutcome, caseDir: string): { cls: CaseClass; detail: string } {
  if (o.kind === "hang") return { cls: "hang", detail: `no answer in ${o.ms} ms` };
  if (o.kind === "crash") return { cls: "crash", detail: o.detail };
  if (o.kind === "thrown") return { cls: "crash", detail: `main() threw: ${o.detail.split("\n")[0]}` };
  const lines = o.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("snnc: warning: "));
  const firstLine = lines[0] ?? "";
  if (o.code === 70) return { cls: "exit-70", detail: firstLine };
  if (/^\s+at .+[:(]\d+/m.test(o.stderr)) return { cls: "stack-trace", detail: firstLine };
  const partial = leftovers(c, o.code, caseDir);
  if (partial) return { cls: "partial-output", detail: partial };
  const verdict = c.args[0] === "verify" && o.code === 1 && o.stdout !== "";
  if (o.code === 0 || verdict) {
    if (lines.length) return { cls: "noise", detail: firstLine };
    return { cls: "success", detail: "" };
  }
  if (![3, 4, 74].includes(o.code)) return { cls: "wrong-code", detail: `exit ${o.code}: ${firstLine}` };
  if (lines.length !== 1 || !firstLine.startsWith("snnc: error: "))
    return { cls: "noise", detail: `${lines.length} lines: ${firstLine}` };
  return { cls: "clean-error", detail: firstLine };
}

function leftovers(c: FuzzCase, code: number, caseDir: string): string | undefined {
  const stray = readdirSync(caseDir).filter((f) => /\.snnc-(new|old)/.test(f));
  if (stray.length) return `left ${stray.join(", ")}`;
  const to = c.args[c.args.indexOf("-o") + 1];
  if (c.args.includes("-o") && to !== "{case}/out") {
    // one output file (simulate's result, report's page): whole on success, absent on failure
    const file = join(caseDir, to!.slice("{case}/".length));
    if (code === 0) return existsSync(file) && statSync(file).size > 0 ? undefined : `success without ${to}`;
    return existsSync(file) ? `failure left ${to}` : undefined;
  }
  const out = join(caseDir, "out");
  const writes = c.args.includes("{case}/out");
  if (!writes) return existsSync(out) ? "an output folder appeared" : undefined;
  const files = existsSync(out) ? readdirSync(out).sort() : undefined;
  if (code === 0) {
    if (!files?.includes("report.txt")) return `success without a complete output (${files?.join(", ") ?? "none"})`;
    if (files.includes(OLD_OUTPUT.name)) return "success, but the old output is mixed into the new one";
    return undefined;
  }
  if (!c.oldOutput) return files ? `failure left an output: ${files.join(", ")}` : undefined;
  if (files?.length !== 1 || files[0] !== OLD_OUTPUT.name)
    return `failure changed the old output: ${files?.join(", ")}`;
  if (readFileSync(join(out, OLD_OUTPUT.name), "utf8") !== OLD_OUTPUT.text) return "failure changed the old output";
  return undefined;
}
