/**
 * ONNX reader (FORMATS.md §2): model.onnx → IR graph.
 *
 *   file → protobuf (protobuf.ts) → metadata (metadata.ts) → initializers (tensors.ts)
 *        → nodes in topological order, one converter per operator (graph.ts) → inferShapes
 *
 * Every failure is an SnncError carrying the path as given and, where it applies, the node.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { SnncError } from "../../ir/errors.ts";
import type { Graph } from "../../ir/nodes.ts";
import { toGraph } from "./graph.ts";
import { readOnnxMeta, type OnnxMetaOverrides } from "./metadata.ts";
import { decodeModel } from "./protobuf.ts";

export type { OnnxMetaOverrides } from "./metadata.ts";

/** Graph names exporters write when the user gave none. */
const GENERIC_NAMES = new Set(["", "torch_jit", "torch-jit-export", "main_graph", "graph"]);

export async function loadOnnxModel(path: string, overrides: OnnxMetaOverrides = {}): Promise<Graph> {
  try {
    return await load(path, overrides);
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file: path });
    const msg = e instanceof Error ? e.message : String(e);
    throw new SnncError("E_PARSE", `cannot read the ONNX model: ${msg.split("\n")[0]}`, { file: path });
  }
}

async function load(path: string, overrides: OnnxMetaOverrides): Promise<Graph> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new SnncError("E_IO", `file not found`);
    if (code === "EISDIR") throw new SnncError("E_IO", `is a directory, not an .onnx file`);
    throw new SnncError("E_IO", `file cannot be read (${code ?? "I/O error"})`);
  }
  if (bytes.length === 0) throw new SnncError("E_IO", `file is empty (expected an ONNX model)`);
  const model = decodeModel(bytes);
  const meta = readOnnxMeta(model.metadata, overrides);
  meta.source = `onnx:${basename(path)}`;
  const fileName = basename(path, extname(path));
  const name = GENERIC_NAMES.has(model.graph.name)
    ? fileName === "model"
      ? basename(dirname(resolve(path))) || fileName
      : fileName
    : model.graph.name;
  return toGraph(model, meta, name, dirname(path));
}
