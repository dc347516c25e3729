/**
 * `snnc merge`: the shard results of one sharded run (`--shard i/n`, i = 1..n) joined into the
 * result the unsharded run writes. Every shard must come from the same run (model digest, target,
 * steps, input set, layers), each of the n parts exactly once, each holding exactly its samples.
 */
import { SnncError } from "../../ir/errors.ts";
import { type ResultHeader, resultDocument, type SimulateResult } from "./result.ts";
import { shardRange } from "./shard.ts";

export interface ShardFile {
  file: string;
  doc: SimulateResult;
}

const SAME_RUN = ["format", "version", "model", "target", "timesteps", "run_steps", "inputs", "layers"] as const;

export function mergeShards(parts: readonly ShardFile[]): SimulateResult {
  if (parts.length === 0) throw new SnncError("E_USAGE", "merge needs at least one result file");
  const ref = parts[0]!;
  const bySlot = new Map<number, ShardFile>();
  for (const p of parts) {
    const s = p.doc.shard;
    if (!s)
      throw new SnncError("E_VALUE", "not a shard result (no 'shard': written without --shard)", { file: p.file });
    for (const key of SAME_RUN) {
      if (JSON.stringify(p.doc[key]) !== JSON.stringify(ref.doc[key]))
        throw new SnncError("E_VALUE", `'${key}' differs from ${ref.file}: not a shard of the same run`, {
          file: p.file,
        });
    }
    if (s.count !== ref.doc.shard!.count)
      throw new SnncError(
        "E_VALUE",
        `shard ${s.index}/${s.count} does not belong to ${ref.file}'s split into ${ref.doc.shard!.count}`,
        {
          file: p.file,
        },
      );
    const twin = bySlot.get(s.index);
    if (twin) throw new SnncError("E_VALUE", `shard ${s.index}/${s.count} is also in ${twin.file}`, { file: p.file });
    bySlot.set(s.index, p);
    checkSamples(p);
  }
  const count = ref.doc.shard!.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !bySlot.has(i));
  if (missing.length)
    throw new SnncError(
      "E_VALUE",
      `shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} missing: the merge needs all ${count}`,
      { file: ref.file },
    );
  const samples = Array.from({ length: count }, (_, i) => bySlot.get(i + 1)!.doc.samples).flat();
  return resultDocument(ref.doc as ResultHeader, ref.doc.layers, samples);
}

/** A shard holds its own range of the input set, every sample in order, once. */
function checkSamples({ file, doc }: ShardFile): void {
  const s = doc.shard!;
  const { first, end } = shardRange(doc.inputs.samples, s);
  if (s.first !== first || s.end !== end)
    throw new SnncError(
      "E_VALUE",
      `shard ${s.index}/${s.count} of ${doc.inputs.samples} samples is ${first}..${end - 1}, the file says ${s.first}..${s.end - 1}`,
      {
        file,
      },
    );
  if (doc.samples.length !== end - first || doc.samples.some((x, k) => x.index !== first + k))
    throw new SnncError("E_VALUE", `shard ${s.index}/${s.count} must hold samples ${first}..${end - 1} in order`, {
      file,
    });
  if (doc.samples.some((x) => (x.label !== undefined) !== doc.inputs.labelled))
    throw new SnncError("E_VALUE", `every sample must ${doc.inputs.labelled ? "" : "not "}have a label`, { file });
  if (doc.samples.some((x) => x.rates.length !== doc.layers.length))
    throw new SnncError("E_VALUE", `a sample's rates do not match the ${doc.layers.length} layers`, { file });
}
