/** `userDefinedMetadata.snn = {timesteps, encoding}` → the graph's ModelMeta. */
import { SnncError } from "../../ir/errors.ts";
import { checkTimesteps } from "../../ir/limits.ts";
import type { ModelMeta } from "../../ir/nodes.ts";
import { describe, isObject } from "./config.ts";

export interface MetaOverrides {
  /** Used when the model has no `timesteps`, and in place of it when given (a CLI flag wins). */
  timesteps?: number;
  encoding?: ModelMeta["encoding"];
}

const ENCODINGS = ["direct", "spikes"] as const;

export function readMeta(userDefinedMetadata: unknown, over: MetaOverrides = {}): ModelMeta {
  let snn: Record<string, unknown> = {};
  if (userDefinedMetadata !== undefined && userDefinedMetadata !== null) {
    if (!isObject(userDefinedMetadata))
      throw new SnncError("E_FORMAT", `'userDefinedMetadata' must be an object, got ${describe(userDefinedMetadata)}`);
    const s = userDefinedMetadata.snn;
    if (s !== undefined && s !== null) {
      if (!isObject(s))
        throw new SnncError(
          "E_FORMAT",
          `'userDefinedMetadata.snn' must be an object {timesteps, encoding}, got ${describe(s)}`,
        );
      snn = s;
    }
  }
  const timesteps: unknown = over.timesteps ?? snn.timesteps;
  if (timesteps === undefined || timesteps === null) {
    throw new SnncError(
      "E_FORMAT",
      `timesteps missing: set userDefinedMetadata.snn.timesteps (the number of time steps T the model runs)`,
      { param: "timesteps" },
    );
  }
  if (typeof timesteps !== "number" || !Number.isInteger(timesteps) || timesteps < 1) {
    throw new SnncError(
      "E_FORMAT",
      `userDefinedMetadata.snn.timesteps must be a positive integer, got ${describe(timesteps)}`,
      { param: "timesteps" },
    );
  }
  checkTimesteps(timesteps, "userDefinedMetadata.snn.timesteps");
  const encoding = over.encoding ?? snn.encoding ?? "direct";
  if (typeof encoding !== "string" || !(ENCODINGS as readonly string[]).includes(encoding)) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `userDefinedMetadata.snn.encoding ${describe(encoding)} is not supported (supported: "direct", "spikes")`,
      { param: "encoding" },
    );
  }
  return { timesteps, encoding: encoding as ModelMeta["encoding"] };
}
