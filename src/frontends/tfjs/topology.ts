/**
 * Keras topology → a flat, topologically ordered list of layers with named inputs.
 * Understands Sequential (also nested Sequential, inlined) and Functional models (Keras 2
 * `inbound_nodes` list form; the Keras 3 `{args, kwargs}` form is read too), and unwraps
 * TimeDistributed. Knows nothing about what a layer computes.
 */
import { SnncError } from "../../ir/errors.ts";
import { describe, isObject, type Json, type JsonObject } from "./config.ts";

export interface LayerSpec {
  /** The Keras layer name: the IR node id and the prefix of the layer's weights. */
  name: string;
  className: string;
  config: JsonObject;
  /** Names of the layers feeding this one (empty for InputLayer). */
  inbound: string[];
  /** Set when the layer was wrapped in TimeDistributed: the inner layer's own name. */
  innerName?: string;
}

export interface Topology {
  /** The model's name from its config, if any. */
  name?: string;
  kind: "Sequential" | "Functional";
  /** Layers in an order where every input comes first; exactly one InputLayer, first. */
  layers: LayerSpec[];
  outputs: string[];
  /** True when the model carries a time axis after the batch axis (it uses TimeDistributed). */
  timeAxis: boolean;
}

const fmt = (detail: string, layer?: string) => new SnncError("E_FORMAT", detail, { layer });

/** The `{class_name, config}` model object inside either wrapper of `modelTopology`. */
export function unwrapTopology(modelTopology: unknown): { className: string; config: Json } {
  if (!isObject(modelTopology))
    throw new SnncError(
      "E_PARSE",
      `not a TF.js layers-model: 'modelTopology' is ${describe(modelTopology)}, not an object`,
    );
  let m: JsonObject = modelTopology;
  if (m.model_config !== undefined) {
    if (!isObject(m.model_config)) throw fmt(`'modelTopology.model_config' must be an object`);
    m = m.model_config;
  }
  if (Array.isArray(m.node))
    throw new SnncError("E_PARSE", `not a TF.js layers-model: 'modelTopology' is a TensorFlow graph (a graph-model)`);
  const className = m.class_name;
  if (typeof className !== "string")
    throw new SnncError(
      "E_PARSE",
      `not a TF.js layers-model: 'modelTopology' has no 'class_name' (neither {class_name, config} nor {model_config: {...}})`,
    );
  return { className, config: m.config ?? null };
}

export function parseTopology(modelTopology: unknown): Topology {
  const { className, config } = unwrapTopology(modelTopology);
  let t: Topology;
  if (className === "Sequential") t = sequential(config);
  else if (className === "Model" || className === "Functional") t = functional(config);
  else
    throw new SnncError(
      "E_UNSUPPORTED",
      `model class "${className}" is not supported (supported: Sequential, Model/Functional)`,
    );
  return t;
}

// ---------------------------------------------------------------------------------------------

interface RawLayer {
  name: string;
  className: string;
  config: JsonObject;
  raw: JsonObject;
}

function rawLayer(v: Json, where: string): RawLayer {
  if (!isObject(v)) throw fmt(`${where} is ${describe(v)}, not a layer object`);
  const className = v.class_name;
  if (typeof className !== "string") throw fmt(`${where} has no 'class_name'`);
  const config = v.config ?? {};
  if (!isObject(config)) throw fmt(`${where} ('${className}') has a 'config' that is not an object`);
  const name = typeof config.name === "string" ? config.name : typeof v.name === "string" ? v.name : undefined;
  if (name === undefined || name === "") throw fmt(`${where} ('${className}') has no name`);
  return { name, className, config, raw: v };
}

/** Unwrap TimeDistributed: the inner layer computes, the wrapper's name stays the layer name. */
function unwrap(l: RawLayer): { className: string; config: JsonObject; innerName?: string } {
  if (l.className !== "TimeDistributed") return { className: l.className, config: l.config };
  const inner = l.config.layer;
  if (!isObject(inner) || typeof inner.class_name !== "string")
    throw fmt(`TimeDistributed has no inner 'layer' {class_name, config}`, l.name);
  if (inner.class_name === "TimeDistributed")
    throw new SnncError("E_UNSUPPORTED", `nested TimeDistributed is not supported`, { layer: l.name });
  const cfg = inner.config ?? {};
  if (!isObject(cfg)) throw fmt(`TimeDistributed inner layer has a 'config' that is not an object`, l.name);
  const innerName = typeof cfg.name === "string" ? cfg.name : undefined;
  // The wrapper's input shape is the model's; the inner layer's own is per step and unused.
  return { className: inner.class_name, config: cfg, innerName: innerName ?? l.name };
}

/** The batch input shape declared on a layer's config (batch axis included), if any. */
export function declaredBatchShape(cfg: JsonObject): Json | undefined {
  if (cfg.batch_input_shape != null) return cfg.batch_input_shape;
  if (cfg.batch_shape != null) return cfg.batch_shape;
  if (cfg.input_shape != null && Array.isArray(cfg.input_shape)) return [null, ...cfg.input_shape];
  return undefined;
}

function layerList(config: Json, what: string): Json[] {
  if (Array.isArray(config)) return config; // very old Keras: config is the list itself
  if (isObject(config) && Array.isArray(config.layers)) return config.layers;
  throw fmt(`${what} config has no 'layers' list`);
}

function sequential(config: Json): Topology {
  const flat: RawLayer[] = [];
  const visit = (list: Json[], where: string) => {
    list.forEach((v, i) => {
      const l = rawLayer(v, `${where}[${i}]`);
      if (l.className === "Sequential")
        visit(layerList(l.config, `nested Sequential '${l.name}'`), `layer '${l.name}'.layers`);
      else if (l.className === "Model" || l.className === "Functional") {
        throw new SnncError("E_UNSUPPORTED", `a Functional model nested inside a Sequential one is not supported`, {
          layer: l.name,
        });
      } else flat.push(l);
    });
  };
  visit(layerList(config, "Sequential"), "layers");
  if (flat.length === 0) throw fmt(`the Sequential model has no layers`);

  const layers: LayerSpec[] = [];
  const names = new Set(flat.map((l) => l.name));
  let first = 0;
  const head = flat[0]!;
  if (head.className === "InputLayer") {
    layers.push({ name: head.name, className: "InputLayer", config: head.config, inbound: [] });
    first = 1;
  } else {
    const shape = declaredBatchShape(head.config);
    if (shape === undefined) {
      throw fmt(
        `the first layer declares no input shape (expected an InputLayer or 'batch_input_shape' on the first layer)`,
        head.name,
      );
    }
    let name = `${head.name}_input`;
    for (let k = 1; names.has(name); k++) name = `${head.name}_input_${k}`;
    layers.push({ name, className: "InputLayer", config: { name, batch_input_shape: shape }, inbound: [] });
  }
  for (let i = first; i < flat.length; i++) {
    const l = flat[i]!;
    if (l.className === "InputLayer")
      throw new SnncError("E_UNSUPPORTED", `an InputLayer is only allowed first in a Sequential model`, {
        layer: l.name,
      });
    layers.push({ name: l.name, ...unwrap(l), inbound: [layers[layers.length - 1]!.name] });
  }
  checkUnique(layers);
  const timeAxis = flat.some((l) => l.className === "TimeDistributed");
  const name = isObject(config) && typeof config.name === "string" ? config.name : undefined;
  return { name, kind: "Sequential", layers, outputs: [layers[layers.length - 1]!.name], timeAxis };
}

function checkUnique(layers: LayerSpec[]): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw fmt(`two layers share the name '${l.name}'`, l.name);
    seen.add(l.name);
  }
}

/** Layer names referenced by one inbound node, Keras 2 list form or Keras 3 {args, kwargs} form. */
function inboundOf(l: RawLayer): string[] {
  const nodes = l.raw.inbound_nodes;
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) throw fmt(`'inbound_nodes' must be a list, got ${describe(nodes)}`, l.name);
  if (nodes.length === 0) return [];
  if (nodes.length > 1)
    throw new SnncError(
      "E_UNSUPPORTED",
      `the layer is called ${nodes.length} times (shared layers are not supported)`,
      { layer: l.name },
    );
  const node = nodes[0]!;
  const out: string[] = [];
  const ref = (name: Json, nodeIdx: Json, tensorIdx: Json) => {
    if (typeof name !== "string") throw fmt(`inbound reference ${describe(name)} is not a layer name`, l.name);
    if (nodeIdx !== 0 && nodeIdx !== null && nodeIdx !== undefined)
      throw new SnncError(
        "E_UNSUPPORTED",
        `input '${name}' is taken from its call #${describe(nodeIdx)} (shared layers are not supported)`,
        { layer: l.name },
      );
    if (tensorIdx !== 0 && tensorIdx !== null && tensorIdx !== undefined)
      throw new SnncError(
        "E_UNSUPPORTED",
        `input '${name}' is output #${describe(tensorIdx)} of a multi-output layer (not supported)`,
        { layer: l.name },
      );
    out.push(name);
  };
  if (Array.isArray(node)) {
    // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
    for (const r of node) {
      if (!Array.isArray(r) || r.length < 3)
        throw fmt(`inbound node entry ${describe(r)} is not [layer, node_index, tensor_index, kwargs]`, l.name);
      ref(r[0]!, r[1]!, r[2]!);
    }
  } else if (isObject(node)) {
    // Keras 3: {args: [...], kwargs: {...}} with tensors carrying keras_history [name, node, tensor].
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) {
        const cfg = v.config;
        if (v.class_name === "__keras_tensor__" && isObject(cfg) && Array.isArray(cfg.keras_history)) {
          const h = cfg.keras_history;
          ref(h[0]!, h[1]!, h[2]!);
        } else Object.values(v).forEach(walk);
      }
    };
    walk(node.args ?? []);
  } else throw fmt(`inbound node ${describe(node)} is neither a list nor {args, kwargs}`, l.name);
  return out;
}

/** `input_layers` / `output_layers`: [[name, 0, 0], ...] or a single [name, 0, 0]. */
function endpoints(v: Json | undefined, what: string): string[] {
  if (!Array.isArray(v)) throw fmt(`the Functional model has no '${what}' list`);
  const list = v.length > 0 && typeof v[0] === "string" ? [v] : v;
  return list.map((e) => {
    if (!Array.isArray(e) || typeof e[0] !== "string")
      throw fmt(`'${what}' entry ${describe(e)} is not [layer, node_index, tensor_index]`);
    return e[0];
  });
}

function functional(config: Json): Topology {
  if (!isObject(config)) throw fmt(`the Functional model has no config object`);
  const raws = layerList(config, "Functional").map((v, i) => rawLayer(v, `layers[${i}]`));
  const specs: LayerSpec[] = raws.map((l) => {
    if (l.className === "Sequential" || l.className === "Model" || l.className === "Functional") {
      throw new SnncError("E_UNSUPPORTED", `a nested model inside a Functional model is not supported`, {
        layer: l.name,
      });
    }
    return { name: l.name, ...unwrap(l), inbound: inboundOf(l) };
  });
  checkUnique(specs);
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    for (const i of s.inbound) if (!byName.has(i)) throw fmt(`input '${i}' is not a layer of the model`, s.name);
    if (s.className === "InputLayer" && s.inbound.length > 0) throw fmt(`an InputLayer cannot have inputs`, s.name);
    if (s.className !== "InputLayer" && s.inbound.length === 0)
      throw fmt(`the layer has no inputs ('inbound_nodes' is empty)`, s.name);
  }
  const inputs = endpoints(config.input_layers, "input_layers");
  const outputs = endpoints(config.output_layers, "output_layers");
  if (inputs.length !== 1)
    throw new SnncError(
      "E_UNSUPPORTED",
      `the model has ${inputs.length} inputs (${inputs.join(", ")}); snnc models take exactly one`,
    );
  for (const n of [...inputs, ...outputs])
    if (!byName.has(n)) throw fmt(`'${n}' named in input_layers/output_layers is not a layer of the model`);
  const inputLayers = specs.filter((s) => s.className === "InputLayer");
  if (inputLayers.length !== 1 || inputLayers[0]!.name !== inputs[0]) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `the model has ${inputLayers.length} InputLayers; snnc models take exactly one, named in input_layers`,
    );
  }

  // Stable topological order (Kahn), the InputLayer first.
  const ordered: LayerSpec[] = [];
  const done = new Set<string>();
  const pending = [...specs];
  while (pending.length > 0) {
    const i = pending.findIndex((s) => s.inbound.every((x) => done.has(x)));
    if (i < 0) throw fmt(`the layers form a cycle (involving ${pending.map((s) => `'${s.name}'`).join(", ")})`);
    const [s] = pending.splice(i, 1);
    ordered.push(s!);
    done.add(s!.name);
  }
  const timeAxis = raws.some((l) => l.className === "TimeDistributed");
  const name = typeof config.name === "string" ? config.name : undefined;
  return { name, kind: "Functional", layers: ordered, outputs, timeAxis };
}
