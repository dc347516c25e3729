/**
 * Topology + weights → IR graph: one converter per Keras class name, inputs resolved through
 * layers that vanish at inference (Dropout), shapes inferred, then the checks that need shapes.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, IRNode, ModelMeta } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { Config } from "./config.ts";
import * as keras from "./keras-layers.ts";
import { LayerCtx, type Converted, type ShapeCheck } from "./layer-context.ts";
import * as snn from "./snn-layers.ts";
import type { Topology } from "./topology.ts";
import type { WeightIndex } from "./weight-names.ts";

type Converter = (c: LayerCtx) => Converted;

/** Every class name the reader understands (FORMATS.md §1). TimeDistributed is unwrapped earlier. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  InputLayer: keras.inputLayer,
  Conv2D: keras.conv2d,
  Dense: keras.dense,
  BatchNormalization: keras.batchNorm,
  AveragePooling2D: keras.avgPool,
  MaxPooling2D: keras.maxPool,
  Flatten: keras.flatten,
  Reshape: keras.reshape,
  ZeroPadding2D: keras.zeroPadding,
  Add: keras.add,
  Dropout: keras.dropout,
  LIF: snn.lif,
  IF: snn.ifNeuron,
  PLIF: snn.plif,
  MultiThresholdLIF: snn.multiThreshold,
  TdBN: snn.tdbn,
  BNTT: snn.bntt,
  TEBN: snn.tebn,
  TAB: snn.tab,
  PSPNorm: snn.pspNorm,
  Readout: snn.readout,
};

export function supportedClassNames(): string[] {
  return [...Object.keys(CONVERTERS), "TimeDistributed"];
}

export function toGraph(topo: Topology, weights: WeightIndex, meta: ModelMeta, name: string): Graph {
  const nodes: IRNode[] = [];
  const deferred: { layer: string; check: ShapeCheck }[] = [];
  /** Keras layer name → the IR node that carries its output. */
  const idOf = new Map<string, string>();

  for (const spec of topo.layers) {
    try {
      const convert = Object.hasOwn(CONVERTERS, spec.className) ? CONVERTERS[spec.className] : undefined;
      if (!convert) {
        throw new SnncError(
          "E_UNSUPPORTED",
          `unknown layer class "${spec.className}" (supported: ${supportedClassNames().join(", ")})`,
        );
      }
      const ctx = new LayerCtx(
        spec,
        new Config(spec.config),
        spec.inbound.map((i) => idOf.get(i)!),
        topo.timeAxis,
        weights,
      );
      const out = convert(ctx);
      if ("alias" in out) idOf.set(spec.name, out.alias);
      else {
        nodes.push(out);
        idOf.set(spec.name, out.id);
      }
      for (const check of ctx.deferred) deferred.push({ layer: spec.name, check });
    } catch (e) {
      if (e instanceof SnncError) throw e.withLocation({ layer: spec.name });
      throw e;
    }
  }

  const outputs = [...new Set(topo.outputs.map((o) => idOf.get(o)!))];
  const g = inferShapes({ name, meta, nodes, outputs });
  const shapes = new Map(g.nodes.map((n) => [n.id, n.shape!]));
  for (const { layer, check } of deferred) {
    try {
      check((id) => shapes.get(id)!);
    } catch (e) {
      if (e instanceof SnncError) throw e.withLocation({ layer });
      throw e;
    }
  }
  return g;
}
