/**
 * TF.js Layers model reader (FORMATS.md §1): model.json + weight shards → IR graph.
 *
 *   file → JSON → layers-model check → topology (topology.ts) → metadata (metadata.ts)
 *        → weights decoded by TF.js (weights.ts) → layer conversion (convert.ts) → inferShapes
 *
 * Every failure is an SnncError carrying the model.json path as given, and the Keras layer name
 * and the parameter where they apply.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { SnncError } from "../../ir/errors.ts";
import { checkFileBytes, LIMITS } from "../../ir/limits.ts";
import type { Graph } from "../../ir/nodes.ts";
import { describe, isObject, type JsonObject } from "./config.ts";
import { toGraph } from "./convert.ts";
import { readMeta, type MetaOverrides } from "./metadata.ts";
import { parseTopology } from "./topology.ts";
import { WeightIndex } from "./weight-names.ts";
import { readWeights } from "./weights.ts";

export type { MetaOverrides } from "./metadata.ts";
export { supportedClassNames } from "./convert.ts";

/**
 * Load a TF.js Layers model. `path` is the model.json file (or a folder holding one).
 * `overrides` supply or replace `userDefinedMetadata.snn` values (e.g. from CLI flags).
 */
export async function loadTfjsModel(path: string, overrides: MetaOverrides = {}): Promise<Graph> {
  try {
    return await load(path, overrides);
  } catch (e) {
    throw asSnncError(e).withLocation({ file: path });
  }
}

function asSnncError(e: unknown): SnncError {
  if (e instanceof SnncError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new SnncError("E_PARSE", `cannot read the model: ${msg.split("\n")[0]}`);
}

async function load(path: string, overrides: MetaOverrides): Promise<Graph> {
  const file = await resolveModelFile(path);
  const json = await readModelJson(file, path);
  const topo = parseTopology(json.modelTopology);
  const meta = readMeta(json.userDefinedMetadata, overrides);
  meta.source = `tfjs-layers:${basename(file)}`;
  const weights = new WeightIndex(await readWeights(json.weightsManifest, file));
  const name = topo.name ?? (basename(dirname(file)) || "model");
  return toGraph(topo, weights, meta, name);
}

/** A folder stands for its model.json. */
async function resolveModelFile(path: string): Promise<string> {
  try {
    if ((await stat(path)).isDirectory()) return join(path, "model.json");
  } catch {
    // reported by readModelJson
  }
  return path;
}

async function readModelJson(file: string, path: string): Promise<JsonObject> {
  let text: string;
  try {
    checkFileBytes((await stat(file)).size, "model.json", LIMITS.jsonBytes);
    text = await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof SnncError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new SnncError("E_IO", file === path ? `file not found` : `folder holds no model.json`);
    if (code === "EISDIR") throw new SnncError("E_IO", `is a directory, not a model.json file`);
    if (code === "EACCES") throw new SnncError("E_IO", `file cannot be read (permission denied)`);
    throw new SnncError("E_IO", `file cannot be read (${code ?? "I/O error"})`);
  }
  if (text.trim() === "") throw new SnncError("E_IO", `file is empty (expected a TF.js model.json)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SnncError("E_PARSE", `not JSON: ${(e as Error).message.split("\n")[0]} (expected a TF.js model.json)`);
  }
  if (!isObject(json))
    throw new SnncError("E_PARSE", `not a TF.js layers-model: the top level is ${describe(json)}, not an object`);
  const format = json.format;
  if (format !== undefined && format !== null && format !== "layers-model") {
    throw new SnncError(
      "E_PARSE",
      `not a TF.js layers-model: format is ${describe(format)}${format === "graph-model" ? " (a graph model cannot be read; export the Keras model with tensorflowjs_converter --output_format tfjs_layers_model)" : ""}`,
    );
  }
  if (json.modelTopology === undefined) throw new SnncError("E_PARSE", `not a TF.js layers-model: no 'modelTopology'`);
  return json;
}
