/**
 * `snnc merge <result.json>... [-o merged.json]`: joins the results of the n parts of a sharded
 * `snnc simulate --shard i/n` run, given in any order, into the result file (byte for byte) that
 * the unsharded run writes. Each file is checked against src/cli/schemas/simulate.schema.json.
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import type { ShardFile } from "../../driver/simulate/merge.ts";
import type { SimulateResult } from "../../driver/simulate/result.ts";
import { SnncError } from "../../ir/errors.ts";
import { checkFileBytes, LIMITS } from "../../ir/limits.ts";

export function registerMergeCommand(program: Command): void {
  program
    .command("merge")
    .description(
      "join the results of every part of a sharded 'snnc simulate --shard i/n' run into the unsharded result",
    )
    .argument("<results...>", "the shard result files (any order)")
    .option("-o, --output <file>", "write the merged result here (atomically; default: stdout)")
    .action(async (files: string[], opts: { output?: string }) => {
      const { shippedValidator } = await import("../../util/json-schema.ts");
      const validate = shippedValidator("simulate-result");
      const parts: ShardFile[] = files.map((file) => {
        const doc = readJson(file);
        if (!validate(doc)) {
          const err = validate.errors![0]!;
          throw new SnncError(
            "E_SCHEMA",
            `not an snnc simulate result: at ${err.instancePath || "/"}: ${err.message ?? "invalid"}`,
            { file },
          );
        }
        return { file, doc: doc as SimulateResult };
      });
      const { mergeShards } = await import("../../driver/simulate/merge.ts");
      const { resultJson } = await import("../../driver/simulate/result.ts");
      const text = resultJson(mergeShards(parts));
      if (!opts.output) {
        process.stdout.write(text);
        return;
      }
      const { writeFileAtomically } = await import("../write-file.ts");
      writeFileAtomically(opts.output, text);
      process.stdout.write(`merged ${files.length} shard results into ${opts.output}\n`);
    });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    checkFileBytes(statSync(file).size, "the result file", LIMITS.jsonBytes);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file });
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError("E_IO", code === "ENOENT" ? "no such file" : `cannot read (${code})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SnncError("E_PARSE", `not valid JSON (${(e as Error).message})`, { file });
  }
}
