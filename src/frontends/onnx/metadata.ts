/** Model metadata_props `snn.timesteps` and `snn.encoding` → the graph's ModelMeta. */
import { SnncError } from "../../ir/errors.ts";
import type { ModelMeta } from "../../ir/nodes.ts";

export interface OnnxMetaOverrides {
  /** Used when the model has no `snn.timesteps`, and in place of it when given. */
  timesteps?: number;
  encoding?: ModelMeta["encoding"];
}

const ENCODINGS = ["direct", "spikes"] as const;

export function readOnnxMeta(props: ReadonlyMap<string, string>, over: OnnxMetaOverrides = {}): ModelMeta {
  let timesteps = over.timesteps;
  const rawT = props.get("snn.timesteps");
  if (timesteps === undefined) {
    if (rawT === undefined) {
      throw new SnncError(
        "E_FORMAT",
        `timesteps missing: set the model's metadata_props 'snn.timesteps' (the number of time steps T the model runs)`,
        { param: "snn.timesteps" },
      );
    }
    timesteps = /^\s*\d+\s*$/.test(rawT) ? Number(rawT) : Number.NaN;
  }
  if (!Number.isInteger(timesteps) || timesteps < 1) {
    throw new SnncError("E_FORMAT", `metadata 'snn.timesteps' must be a positive integer, got "${rawT}"`, {
      param: "snn.timesteps",
    });
  }
  const encoding = over.encoding ?? props.get("snn.encoding")?.trim() ?? "direct";
  if (!(ENCODINGS as readonly string[]).includes(encoding)) {
    throw new SnncError(
      "E_FORMAT",
      `metadata 'snn.encoding' "${encoding}" is not supported (supported: "direct", "spikes")`,
      { param: "snn.encoding" },
    );
  }
  return { timesteps, encoding: encoding as ModelMeta["encoding"] };
}
