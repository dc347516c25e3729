/**
 * Picks the reader for a model file by its name and content. Every reader returns the same IR.
 */
import { readFileSync, statSync } from "node:fs";
import { SnncError } from "../ir/errors.ts";
import { LIMITS, limitError } from "../ir/limits.ts";
import type { Graph } from "../ir/nodes.ts";
import type { LoadOptions } from "./nir/discretise.ts";

export type ModelFormat = "tfjs" | "snnc" | "onnx" | "nir";

export function detectFormat(path: string): ModelFormat {
  try {
    if (statSync(path).isDirectory()) return "tfjs"; // a TF.js model folder: <dir>/model.json
  } catch {
    // not there: decided by name below, the reader reports the missing file
  }
  const lower = path.toLowerCase();
  if (lower.endsWith(".snnc.json")) return "snnc";
  if (lower.endsWith(".onnx")) return "onnx";
  if (lower.endsWith(".nir") || lower.endsWith(".h5") || lower.endsWith(".hdf5")) return "nir";
  if (lower.endsWith(".json")) {
    // A .json that is a serialised snnc graph is read as one; anything else as TF.js.
    let head = "";
    try {
      head = readFileSync(path, "utf8").slice(0, 200);
    } catch {
      return "tfjs";
    }
    return /"format"\s*:\s*"snnc-graph"/.test(head) ? "snnc" : "tfjs";
  }
  throw new SnncError("E_USAGE", "unknown model format (expected model.json, .snnc.json, .onnx or .nir)", {
    file: path,
  });
}

/** How a model in a continuous-time format (NIR) becomes discrete: dt and method (see nir/discretise.ts). */
export type { LoadOptions } from "./nir/discretise.ts";
export { parseLoadOptions } from "./nir/discretise.ts";

export async function loadModel(path: string, opts: LoadOptions = {}): Promise<Graph> {
  let bytes: number;
  try {
    const st = statSync(path);
    bytes = st.isDirectory() ? 0 : st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError("E_IO", code === "ENOENT" ? "no such file" : `cannot read file (${code})`, { file: path });
  }
  const fmt = detectFormat(path);
  // Sizes are checked before a file is read (docs/ROBUSTNESS.md, "Limits").
  const limit = fmt === "snnc" || fmt === "tfjs" ? LIMITS.jsonBytes : LIMITS.fileBytes;
  if (bytes > limit)
    throw limitError("the model file has", bytes, limit, undefined, " bytes").withLocation({ file: path });
  switch (fmt) {
    case "snnc": {
      const { graphFromJson } = await import("../ir/serialize.ts");
      return graphFromJson(readFileSync(path, "utf8"), path);
    }
    case "tfjs": {
      const { loadTfjsModel } = await import("./tfjs/load.ts");
      return loadTfjsModel(path);
    }
    case "onnx": {
      const { loadOnnxModel } = await import("./onnx/load.ts");
      return loadOnnxModel(path);
    }
    case "nir": {
      const { loadNirModel } = await import("./nir/load.ts");
      return loadNirModel(path, opts);
    }
  }
}
