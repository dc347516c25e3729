/**
 * Builds Keras/TF.js layers-model topologies and their weights, the way `model.save` (TF.js)
 * or tensorflowjs_converter (Keras) lay them out.
 */
import type { Rng } from "./prng.ts";
import type { WeightDef } from "./encode.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

interface Entry {
  className: string;
  config: Obj;
  inbound?: string[];
}

export type Wrapper = "tfjs" | "converter";

export class ModelBuilder {
  readonly entries: Entry[] = [];
  readonly weights: WeightDef[] = [];
  /** Prefix written before every weight name (an outer scope, e.g. "model/"). */
  weightPrefix = "";

  constructor(
    readonly kind: "Sequential" | "Functional",
    readonly name: string,
    private readonly rng: Rng,
  ) {}

  private last(): string {
    const e = this.entries[this.entries.length - 1];
    return e ? (e.config.name as string) : "";
  }

  /** Add a layer; `inbound` defaults to the previous layer (Functional only). */
  layer(
    className: string,
    name: string,
    config: Obj,
    weights: Record<string, { shape: number[]; values: number[] }> = {},
    inbound?: string[],
  ): string {
    const e: Entry = { className, config: { name, trainable: true, ...config } };
    if (this.kind === "Functional") e.inbound = inbound ?? (this.entries.length ? [this.last()] : []);
    this.entries.push(e);
    for (const [w, d] of Object.entries(weights))
      this.weights.push({ name: `${this.weightPrefix}${name}/${w}`, shape: d.shape, values: d.values });
    return name;
  }

  uniform(shape: number[], lo: number, hi: number): { shape: number[]; values: number[] } {
    return {
      shape,
      values: this.rng.array(
        shape.reduce((a, b) => a * b, 1),
        lo,
        hi,
      ),
    };
  }

  fixed(shape: number[], values: number[]): { shape: number[]; values: number[] } {
    return { shape, values: values.map(Math.fround) };
  }

  inputLayer(name: string, shape: number[]): string {
    return this.layer("InputLayer", name, { batch_input_shape: [null, ...shape], dtype: "float32", sparse: false });
  }

  conv(
    name: string,
    cin: number,
    o: {
      filters: number;
      kernel?: number;
      strides?: number;
      padding?: "same" | "valid";
      dilation?: number;
      groups?: number;
      bias?: boolean;
      lo?: number;
      hi?: number;
      extra?: Obj;
    },
    inbound?: string[],
  ): string {
    const k = o.kernel ?? 3;
    const groups = o.groups ?? 1;
    const bias = o.bias ?? true;
    const w: Record<string, { shape: number[]; values: number[] }> = {
      kernel: this.uniform([k, k, cin / groups, o.filters], o.lo ?? -0.3, o.hi ?? 0.6),
    };
    if (bias) w.bias = this.uniform([o.filters], -0.1, 0.2);
    return this.layer(
      "Conv2D",
      name,
      {
        ...(o.extra ?? {}),
        filters: o.filters,
        kernel_size: [k, k],
        strides: [o.strides ?? 1, o.strides ?? 1],
        padding: o.padding ?? "same",
        data_format: "channels_last",
        dilation_rate: [o.dilation ?? 1, o.dilation ?? 1],
        groups,
        activation: "linear",
        use_bias: bias,
      },
      w,
      inbound,
    );
  }

  dense(
    name: string,
    fin: number,
    units: number,
    o: { bias?: boolean; lo?: number; hi?: number; extra?: Obj } = {},
    inbound?: string[],
  ): string {
    const bias = o.bias ?? true;
    const w: Record<string, { shape: number[]; values: number[] }> = {
      kernel: this.uniform([fin, units], o.lo ?? -0.3, o.hi ?? 0.6),
    };
    if (bias) w.bias = this.uniform([units], -0.1, 0.2);
    return this.layer("Dense", name, { ...(o.extra ?? {}), units, activation: "linear", use_bias: bias }, w, inbound);
  }

  batchNorm(
    name: string,
    c: number,
    o: { center?: boolean; scale?: boolean; axis?: Json; epsilon?: number } = {},
  ): string {
    const center = o.center ?? true;
    const scale = o.scale ?? true;
    const w: Record<string, { shape: number[]; values: number[] }> = {};
    if (scale) w.gamma = this.uniform([c], 0.6, 1.4);
    if (center) w.beta = this.uniform([c], -0.2, 0.3);
    w.moving_mean = this.uniform([c], -0.2, 0.6);
    w.moving_variance = this.uniform([c], 0.3, 1.5);
    return this.layer(
      "BatchNormalization",
      name,
      { axis: o.axis ?? -1, momentum: 0.99, epsilon: o.epsilon ?? 0.001, center, scale },
      w,
    );
  }

  /** MPBN weights for a neuron layer: shape [C] (channel) or the activation shape (element). */
  mpbnWeights(shape: number[], gamma: number[]): Record<string, { shape: number[]; values: number[] }> {
    return {
      mpbn_gamma: this.fixed(shape, gamma),
      mpbn_beta: this.uniform(shape, -0.3, 0.3),
      mpbn_moving_mean: this.uniform(shape, 0, 1),
      mpbn_moving_variance: this.uniform(shape, 0.3, 1.5),
    };
  }

  /** The `modelTopology` object, in TF.js `model.save` form or the Keras converter's form. */
  topology(wrapper: Wrapper): Obj {
    let config: Obj;
    if (this.kind === "Sequential") {
      config = { name: this.name, layers: this.entries.map((e) => ({ class_name: e.className, config: e.config })) };
    } else {
      const layers = this.entries.map((e) => ({
        name: e.config.name as string,
        class_name: e.className,
        config: e.config,
        inbound_nodes: e.inbound!.length ? [e.inbound!.map((i) => [i, 0, 0, {}] as Json)] : [],
      }));
      const outputs = this.entries.filter(
        (e) => !this.entries.some((f) => f.inbound!.includes(e.config.name as string)),
      );
      config = {
        name: this.name,
        layers,
        input_layers: this.entries
          .filter((e) => e.className === "InputLayer")
          .map((e) => [e.config.name as string, 0, 0]),
        output_layers: outputs.map((e) => [e.config.name as string, 0, 0]),
      };
    }
    const className = this.kind === "Sequential" ? "Sequential" : wrapper === "tfjs" ? "Model" : "Functional";
    if (wrapper === "tfjs")
      return { class_name: className, config, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" };
    return { keras_version: "2.15.0", backend: "tensorflow", model_config: { class_name: className, config } };
  }
}
