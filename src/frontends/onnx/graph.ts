/**
 * ONNX graph → IR graph: opset checks, the network input, name resolution (every input defined),
 * topological order (cycles refused), one converter per operator, graph outputs, inferShapes.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, ModelMeta } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { CONST_OPS } from "./const-ops.ts";
import { NodeCtx, type Converter, type Env } from "./context.ts";
import * as ew from "./elementwise-ops.ts";
import * as lin from "./linear-ops.ts";
import type { RawGraph, RawModel, RawNode } from "./protobuf.ts";
import { SNN_OPS } from "./snn-ops.ts";
import * as sp from "./spatial-ops.ts";
import { decodeTensor, dataTypeName } from "./tensors.ts";
import { label, topoOrder } from "./topology.ts";
import { dimsStr, irShape, type ActVal, type Value } from "./values.ts";

/** Standard operators on activations (constant-only nodes are folded by CONST_OPS first). */
const STD_OPS: Readonly<Record<string, Converter>> = {
  Conv: lin.conv,
  Gemm: lin.gemm,
  MatMul: lin.matmul,
  BatchNormalization: ew.batchNorm,
  AveragePool: sp.averagePool,
  MaxPool: sp.maxPool,
  GlobalAveragePool: sp.globalAveragePool,
  GlobalMaxPool: sp.globalMaxPool,
  Pad: sp.pad,
  Flatten: sp.flatten,
  Reshape: sp.reshape,
  Add: ew.add,
  Sub: ew.sub,
  Mul: ew.mul,
  Div: ew.div,
  Identity: ew.identity,
  Dropout: ew.dropout,
};

export const SNNC_DOMAIN = "ai.snnc";
export const MIN_OPSET = 13;

export function toGraph(model: RawModel, meta: ModelMeta, name: string, baseDir: string): Graph {
  checkOpsets(model);
  const g = model.graph;
  if (g.sparseInitializers > 0) throw new SnncError("E_FORMAT", `sparse initializers are not supported`);
  const env: Env = { baseDir, values: new Map<string, Value>(), nodes: [], ids: new Set() };
  for (const t of g.initializers) env.values.set(t.name, decodeTensor(t, baseDir, `initializer '${t.name}'`));
  addInput(g, env);
  const order = topoOrder(g, env);
  const used = new Set([...g.nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]);
  for (const n of order) {
    try {
      convertNode(n, env, used);
    } catch (e) {
      throw e instanceof SnncError ? e.withLocation({ layer: label(n) }) : e;
    }
  }
  const outputs: string[] = [];
  for (const o of g.outputs) {
    const v = env.values.get(o.name);
    if (v?.kind !== "act") {
      throw new SnncError(
        "E_FORMAT",
        `graph output '${o.name}' is ${v ? "a constant" : "not computed"}, not an activation`,
      );
    }
    checkDeclared(o.name, o.dims, v);
    if (!outputs.includes(v.id)) outputs.push(v.id);
  }
  if (outputs.length === 0) throw new SnncError("E_FORMAT", `the graph has no outputs`);
  return inferShapes({ name, meta, nodes: env.nodes, outputs });
}

function checkOpsets(model: RawModel): void {
  const std = model.opsets.get("");
  if (std === undefined || std < MIN_OPSET) {
    throw new SnncError(
      "E_FORMAT",
      `ONNX opset ${std ?? "(none)"} is not supported: snnc reads opset ${MIN_OPSET} and later (re-export with opset_version>=${MIN_OPSET})`,
    );
  }
  const snn = model.opsets.get(SNNC_DOMAIN);
  if (snn !== undefined && snn !== 1) {
    throw new SnncError("E_FORMAT", `custom domain '${SNNC_DOMAIN}' version ${snn} is not supported (version 1)`);
  }
}

function addInput(g: RawGraph, env: Env): void {
  const inputs = g.inputs.filter((i) => !env.values.has(i.name));
  if (inputs.length !== 1) {
    throw new SnncError(
      "E_FORMAT",
      `the graph needs exactly one input that is not an initializer, found ${inputs.length}${inputs.length ? ` (${inputs.map((i) => `'${i.name}'`).join(", ")})` : ""}`,
    );
  }
  const inp = inputs[0]!;
  const loc = { layer: inp.name };
  if (inp.elemType !== undefined && ![1, 10, 11, 16].includes(inp.elemType)) {
    throw new SnncError("E_FORMAT", `input type ${dataTypeName(inp.elemType)} is not a float type`, loc);
  }
  const d = inp.dims;
  const rest = d?.slice(1) ?? [];
  if (
    !d ||
    (d.length !== 2 && d.length !== 4) ||
    (d[0] !== undefined && d[0] !== 1) ||
    rest.some((x) => x === undefined)
  ) {
    throw new SnncError(
      "E_SHAPE",
      `input shape [${(d ?? []).map((x) => x ?? "?").join(",")}] is not supported: snnc needs [batch, C, H, W] or [batch, F] with fixed sizes (batch 1 or symbolic)`,
      loc,
    );
  }
  const dims = [1, ...(rest as number[])];
  const act: ActVal = { kind: "act", id: inp.name, dims, nonNeg: false };
  env.nodes.push({
    id: inp.name,
    op: "input",
    inputs: [],
    inputShape: irShape(act),
    origin: [`onnx:input '${inp.name}'`],
  });
  env.ids.add(inp.name);
  env.values.set(inp.name, act);
}

function convertNode(n: RawNode, env: Env, used: ReadonlySet<string>): void {
  const baseId = n.name.replace(/^\/+/, "") || `${n.opType}_${n.index}`;
  const c = new NodeCtx(n, env, baseId);
  const present = n.inputs.filter((i) => i !== "").map((i) => env.values.get(i)!);
  let convert: Converter | undefined;
  if (n.domain === "") {
    const constOp = Object.hasOwn(CONST_OPS, n.opType) ? CONST_OPS[n.opType] : undefined;
    const allConst = present.every((v) => v.kind === "const");
    if (constOp && (n.opType === "Shape" || allConst)) convert = constOp;
    else if (Object.hasOwn(STD_OPS, n.opType)) convert = STD_OPS[n.opType];
    else if (constOp) {
      throw new SnncError("E_FORMAT", `${n.opType} on an activation is not supported (only on constants)`);
    }
  } else if (n.domain === SNNC_DOMAIN && Object.hasOwn(SNN_OPS, n.opType)) {
    convert = SNN_OPS[n.opType];
  }
  if (!convert) {
    const domain = n.domain || "ai.onnx";
    const hint = n.domain === SNNC_DOMAIN ? ` (${SNNC_DOMAIN} has: ${Object.keys(SNN_OPS).join(", ")})` : "";
    throw new SnncError("E_FORMAT", `unsupported operator ${n.opType} (domain ${domain})${hint}`);
  }
  const out = convert(c);
  const vals = Array.isArray(out) ? out : [out];
  n.outputs.forEach((o, k) => {
    if (o === "") return;
    const v = vals[k];
    if (v) env.values.set(o, v);
    else if (used.has(o)) {
      throw new SnncError(
        "E_FORMAT",
        `output #${k} '${o}' of ${n.opType} is used, but snnc supports only its first output`,
      );
    }
  });
}

/** A declared output shape (fixed sizes only) must match what the graph computes. */
function checkDeclared(name: string, declared: (number | undefined)[] | undefined, v: ActVal): void {
  if (!declared) return;
  const bad = declared.length !== v.dims.length || declared.some((d, k) => k > 0 && d !== undefined && d !== v.dims[k]);
  if (bad) {
    throw new SnncError(
      "E_SHAPE",
      `graph output '${name}' is declared [${declared.map((d) => d ?? "?").join(",")}] but the graph computes ${dimsStr(v.dims)}`,
    );
  }
}
