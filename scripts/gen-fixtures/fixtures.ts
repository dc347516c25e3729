/**
 * The fixture models. Each `build` draws its weights from the builder's seeded PRNG in a fixed
 * order; thresholds come from `th(layer)` (calibrated by the generator) and draw nothing, so a
 * fixture's weights never depend on its thresholds.
 */
import type { Storage } from "./encode.ts";
import type { ModelBuilder, Obj, Wrapper } from "./keras.ts";

type Th = (layer: string) => number;

export interface FixtureDef {
  name: string;
  /** One line for fixtures/README.md. */
  covers: string;
  seed: number;
  kind: "Sequential" | "Functional";
  timesteps: number;
  encoding?: "direct" | "spikes";
  /** Per-step input shape (without batch or time axis). */
  inputShape: number[];
  storage?: Storage;
  wrapper?: Wrapper;
  /** Split the weights into shards of at most this many bytes. */
  shardBytes?: number;
  /** false: the model cannot be run (e.g. PSP-LN); thresholds stay at `fixedThreshold`. */
  runnable?: boolean;
  fixedThreshold?: number;
  build(b: ModelBuilder, th: Th): void;
}

function lif(
  b: ModelBuilder,
  name: string,
  th: Th,
  cfg: Obj = {},
  weights: Record<string, { shape: number[]; values: number[] }> = {},
  inbound?: string[],
): string {
  return b.layer("LIF", name, { tau: 0.9, v_threshold: th(name), ...cfg }, weights, inbound);
}

/** Values drawn from the builder, with every `zeroEvery`-th set to exactly 0. */
function gammas(b: ModelBuilder, n: number, lo: number, hi: number, zeroEvery: number): number[] {
  const v = b.uniform([n], lo, hi).values;
  return v.map((x, i) => (i % zeroEvery === zeroEvery - 1 ? 0 : x));
}

const convBnPool = (b: ModelBuilder, th: Th) => {
  b.conv("conv1", 1, { filters: 4, extra: { batch_input_shape: [null, 8, 8, 1], dtype: "float32" } });
  b.batchNorm("bn1", 4);
  lif(b, "lif1", th, { tau: 0.8 });
  b.layer("AveragePooling2D", "avg_pool", {
    pool_size: [2, 2],
    strides: [2, 2],
    padding: "valid",
    data_format: "channels_last",
  });
  b.conv("conv2", 4, { filters: 6, padding: "valid", bias: false });
  b.batchNorm("bn2", 6, { center: false, axis: [3] });
  lif(b, "lif2", th, { reset: "soft" });
  b.layer("MaxPooling2D", "max_pool", {
    pool_size: [2, 2],
    strides: [2, 2],
    padding: "same",
    data_format: "channels_last",
  });
  b.layer("Flatten", "flatten", { data_format: "channels_last" });
  b.dense("dense", 6, 3);
  b.layer("Readout", "readout", {});
};

export const FIXTURES: FixtureDef[] = [
  {
    name: "mlp-dense",
    covers:
      "Dense-only MLP, InputLayer first, IF with soft reset and `ge` firing, LIF hard/gt, Dense without bias, Readout `sum`, `spikes` encoding (binary input)",
    seed: 101,
    kind: "Sequential",
    timesteps: 6,
    encoding: "spikes",
    inputShape: [16],
    build(b, th) {
      b.inputLayer("input", [16]);
      b.dense("dense1", 16, 12);
      b.layer("IF", "if1", { v_threshold: th("if1"), reset: "soft", fire: "ge" });
      b.dense("dense2", 12, 8, { bias: false });
      lif(b, "lif2", th, { reset: "hard", fire: "gt", v_reset: 0 });
      b.dense("dense3", 8, 3);
      b.layer("Readout", "readout", { mode: "sum" });
    },
  },
  {
    name: "conv-bn-pool",
    covers:
      "Conv2D same/valid (with and without bias), Keras BatchNormalization (full, and `center: false` with `axis: [3]`), LIF hard and soft reset, AveragePooling2D, MaxPooling2D `same`, Flatten, Readout default `mean`; `batch_input_shape` on the first layer (no InputLayer)",
    seed: 202,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build: convBnPool,
  },
  {
    name: "conv-bn-pool-f16",
    covers: "conv-bn-pool with float16-quantised weights",
    seed: 202,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    storage: "float16",
    build: convBnPool,
  },
  {
    name: "conv-bn-pool-u8",
    covers: "conv-bn-pool with uint8-quantised weights (affine min/scale)",
    seed: 202,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    storage: "uint8",
    build: convBnPool,
  },
  {
    name: "mpbn-channel",
    covers:
      "MPBN channel-wise on a conv LIF (γ with a negative and a zero channel) and on a Dense IF (`ge`, per-feature γ with negatives and zeros)",
    seed: 303,
    kind: "Sequential",
    timesteps: 5,
    inputShape: [8, 8, 1],
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      lif(b, "lif1", th, { mpbn: { mode: "channel", epsilon: 1e-5 } }, b.mpbnWeights([4], [0.9, -0.7, 0, 1.2]));
      b.layer("AveragePooling2D", "avg_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.layer("Flatten", "flatten", {});
      b.dense("dense1", 64, 16);
      b.layer(
        "IF",
        "if2",
        { v_threshold: th("if2"), fire: "ge", mpbn: { mode: "channel" } },
        b.mpbnWeights([16], [1.1, -0.8, 0, 0.6, -1.2, 0.9, 0.5, -0.4, 1.3, 0, -0.9, 0.7, 0.8, -0.6, 1.0, 0.4]),
      );
      b.dense("dense2", 16, 3);
      b.layer("Readout", "readout", { mode: "mean" });
    },
  },
  {
    name: "mpbn-element",
    covers:
      "MPBN element-wise: [H,W,C] after a conv with mixed signs and zeros inside every channel, and [F] after a Dense",
    seed: 404,
    kind: "Sequential",
    timesteps: 5,
    inputShape: [8, 8, 1],
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 3, padding: "valid" });
      lif(
        b,
        "lif1",
        th,
        { tau: 0.85, mpbn: { mode: "element", epsilon: 1e-5 } },
        b.mpbnWeights([6, 6, 3], gammas(b, 108, -1.2, 1.5, 7)),
      );
      b.layer("MaxPooling2D", "max_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.layer("Flatten", "flatten", {});
      b.dense("dense1", 27, 10);
      lif(b, "lif2", th, { mpbn: { mode: "element" } }, b.mpbnWeights([10], gammas(b, 10, -1.0, 1.5, 4)));
      b.dense("dense2", 10, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "mt-lif",
    covers:
      "MultiThresholdLIF on conv layers: LIF base with deltas [0.6, -0.25] (`ge`), PLIF base with deltas incl. a negative one and channel MPBN (negative and zero γ); strided conv",
    seed: 505,
    kind: "Sequential",
    timesteps: 6,
    inputShape: [8, 8, 1],
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      b.layer("MultiThresholdLIF", "mt1", {
        neuron: "LIF",
        tau: 0.85,
        v_threshold: th("mt1"),
        deltas: [0.6, -0.25],
        reset: "hard",
        fire: "ge",
      });
      b.conv("conv2", 4, { filters: 4, strides: 2 });
      b.layer(
        "MultiThresholdLIF",
        "mt2",
        { neuron: "PLIF", v_threshold: th("mt2"), deltas: [0.4, 0.8, -0.2], mpbn: { mode: "channel", epsilon: 1e-5 } },
        { a: b.fixed([], [0.4]), ...b.mpbnWeights([4], [1.0, -0.8, 0.7, 0]) },
      );
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 64, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "plif",
    covers: "PLIF with `a` of shape [] and [1], `v_reset` ≠ 0, `ge` firing; `batch_input_shape` on the first Conv2D",
    seed: 606,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      b.conv("conv1", 1, { filters: 3, extra: { batch_input_shape: [null, 8, 8, 1], dtype: "float32" } });
      b.layer("PLIF", "plif1", { v_threshold: th("plif1"), reset: "hard", v_reset: 0 }, { a: b.fixed([], [0.3]) });
      b.conv("conv2", 3, { filters: 3, padding: "valid" });
      b.layer("PLIF", "plif2", { v_threshold: th("plif2"), v_reset: -0.2, fire: "ge" }, { a: b.fixed([1], [-0.5]) });
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 108, 4);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "tdbn",
    covers: "TdBN (alpha 1 and 0.5, explicit and default epsilon) between bias-free / biased convs and LIF",
    seed: 707,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4, bias: false });
      b.layer(
        "TdBN",
        "tdbn1",
        { alpha: 1, v_threshold: 1, epsilon: 1e-5 },
        {
          gamma: b.uniform([4], 0.6, 1.4),
          beta: b.uniform([4], -0.2, 0.3),
          moving_mean: b.uniform([4], -0.2, 0.6),
          moving_variance: b.uniform([4], 0.3, 1.5),
        },
      );
      lif(b, "lif1", th, { tau: 1.0 });
      b.layer("AveragePooling2D", "avg_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.conv("conv2", 4, { filters: 4 });
      b.layer(
        "TdBN",
        "tdbn2",
        { alpha: 0.5, v_threshold: 1 },
        {
          gamma: b.uniform([4], 0.6, 1.4),
          beta: b.uniform([4], -0.2, 0.3),
          moving_mean: b.uniform([4], -0.2, 0.6),
          moving_variance: b.uniform([4], 0.3, 1.5),
        },
      );
      lif(b, "lif2", th, { tau: 0.7 });
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 64, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "bntt",
    covers: "BNTT ([T,C] statistics, no β) after a conv and after a Dense, LIF soft reset, Readout `sum`",
    seed: 808,
    kind: "Sequential",
    timesteps: 5,
    inputShape: [8, 8, 1],
    build(b, th) {
      const T = 5;
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4, bias: false });
      b.layer(
        "BNTT",
        "bntt1",
        { timesteps: T, epsilon: 1e-5 },
        {
          gamma: b.uniform([T, 4], 0.5, 1.5),
          moving_mean: b.uniform([T, 4], -0.2, 0.6),
          moving_variance: b.uniform([T, 4], 0.3, 1.5),
        },
      );
      lif(b, "lif1", th, { reset: "soft" });
      b.layer("AveragePooling2D", "avg_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.layer("Flatten", "flatten", {});
      b.dense("dense1", 64, 12, { bias: false });
      b.layer(
        "BNTT",
        "bntt2",
        { timesteps: T },
        {
          gamma: b.uniform([T, 12], 0.5, 1.5),
          moving_mean: b.uniform([T, 12], -0.2, 0.6),
          moving_variance: b.uniform([T, 12], 0.3, 1.5),
        },
      );
      lif(b, "lif2", th, { reset: "soft" });
      b.dense("dense2", 12, 3);
      b.layer("Readout", "readout", { mode: "sum" });
    },
  },
  {
    name: "tebn",
    covers: "TEBN with p of shape [T] (after a conv) and [T,C] (after a Dense)",
    seed: 909,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      const T = 4;
      const stats = (c: number) => ({
        gamma: b.uniform([c], 0.6, 1.4),
        beta: b.uniform([c], -0.2, 0.3),
        moving_mean: b.uniform([c], -0.2, 0.6),
        moving_variance: b.uniform([c], 0.3, 1.5),
      });
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      b.layer("TEBN", "tebn1", { timesteps: T, epsilon: 1e-5 }, { ...stats(4), p: b.uniform([T], 0.6, 1.4) });
      lif(b, "lif1", th);
      b.layer("MaxPooling2D", "max_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.layer("Flatten", "flatten", {});
      b.dense("dense1", 64, 10);
      b.layer("TEBN", "tebn2", { timesteps: T }, { ...stats(10), p: b.uniform([T, 10], 0.6, 1.4) });
      lif(b, "lif2", th);
      b.dense("dense2", 10, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "tab",
    covers: "TAB (accumulated [T,C] statistics) holding 6 steps while the model runs 4",
    seed: 1010,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      const S = 6;
      const stats = (c: number) => ({
        gamma_hat: b.uniform([S, c], 0.6, 1.4),
        beta_hat: b.uniform([S, c], -0.2, 0.3),
        moving_mean_acc: b.uniform([S, c], -0.2, 0.6),
        moving_var_acc: b.uniform([S, c], 0.3, 1.5),
      });
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      b.layer("TAB", "tab1", { timesteps: S, epsilon: 1e-5 }, stats(4));
      lif(b, "lif1", th);
      b.layer("AveragePooling2D", "avg_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.conv("conv2", 4, { filters: 4 });
      b.layer("TAB", "tab2", { timesteps: S }, stats(4));
      lif(b, "lif2", th);
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 64, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "pspnorm",
    covers: "PSPNorm `bn` before a conv and (through average pooling) before Flatten + Dense",
    seed: 1111,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      const psp = (c: number) => ({ gamma: b.uniform([c], 0.6, 1.4), moving_sq_mean: b.uniform([c], 0.1, 0.5) });
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      lif(b, "lif1", th);
      b.layer("PSPNorm", "psp1", { mode: "bn", lambda: 1e-4 }, psp(4));
      b.conv("conv2", 4, { filters: 4 });
      lif(b, "lif2", th);
      b.layer("AveragePooling2D", "avg_pool", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      b.layer("PSPNorm", "psp2", { mode: "bn", lambda: 1e-4 }, psp(4));
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 64, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "pspnorm-ln",
    covers: "PSPNorm `ln` (loads; refused by run and compile: not an inference-time layer)",
    seed: 1212,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    runnable: false,
    fixedThreshold: 0.5,
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv1", 1, { filters: 4 });
      lif(b, "lif1", th);
      b.layer("PSPNorm", "psp1", { mode: "ln", lambda: 1e-5 });
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 256, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "residual-add",
    covers:
      "Functional model (Keras 2 `inbound_nodes`, converter wrapper `model_config`), residual Add of two spike tensors, Dropout (dropped), ZeroPadding2D, strided valid conv, `ge` firing; weights in two shards",
    seed: 1313,
    kind: "Functional",
    timesteps: 4,
    inputShape: [8, 8, 1],
    wrapper: "converter",
    shardBytes: 1202,
    build(b, th) {
      b.inputLayer("input", [8, 8, 1]);
      b.conv("conv_a", 1, { filters: 4 });
      lif(b, "lif_a", th);
      b.conv("conv_b", 4, { filters: 4, lo: -0.2, hi: 0.4 });
      lif(b, "lif_b", th);
      b.layer("Add", "add", {}, {}, ["lif_a", "lif_b"]);
      b.layer("Dropout", "dropout", { rate: 0.2 });
      b.layer("ZeroPadding2D", "zero_pad", {
        padding: [
          [1, 1],
          [1, 1],
        ],
        data_format: "channels_last",
      });
      b.conv("conv_c", 4, { filters: 4, strides: 2, padding: "valid", lo: -0.2, hi: 0.4 });
      lif(b, "lif_c", th, { fire: "ge" });
      b.layer("Flatten", "flatten", {});
      b.dense("dense", 64, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "keras-misc",
    covers:
      "converter wrapper for a Sequential model, weight names under an outer scope (`keras_misc/<layer>/<weight>`), Conv2D with dilation 2 and groups 2, Reshape, Dropout",
    seed: 1414,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 2],
    wrapper: "converter",
    build(b, th) {
      b.weightPrefix = "keras_misc/";
      b.inputLayer("input", [8, 8, 2]);
      b.conv("conv_g", 2, { filters: 4, dilation: 2, groups: 2, padding: "valid" });
      lif(b, "lif1", th);
      b.layer("Reshape", "reshape", { target_shape: [16, 4] });
      b.layer("Flatten", "flatten", {});
      b.dense("dense1", 64, 10);
      lif(b, "lif2", th, { fire: "ge" });
      b.layer("Dropout", "dropout", { rate: 0.5 });
      b.dense("dense2", 10, 3);
      b.layer("Readout", "readout", {});
    },
  },
  {
    name: "time-distributed",
    covers:
      "TimeDistributed Conv2D / AveragePooling2D / Flatten / Dense (unwrapped; input declared [batch, T, H, W, C]; weights named after the wrapper)",
    seed: 1515,
    kind: "Sequential",
    timesteps: 4,
    inputShape: [8, 8, 1],
    build(b, th) {
      const td = (name: string, className: string, config: Obj, weights = {}, extra: Obj = {}) =>
        b.layer(
          "TimeDistributed",
          name,
          { ...extra, layer: { class_name: className, config: { name: `${name}_inner`, trainable: true, ...config } } },
          weights,
        );
      td(
        "td_conv",
        "Conv2D",
        {
          filters: 3,
          kernel_size: [3, 3],
          strides: [1, 1],
          padding: "same",
          data_format: "channels_last",
          dilation_rate: [1, 1],
          activation: "linear",
          use_bias: true,
        },
        { kernel: b.uniform([3, 3, 1, 3], -0.3, 0.6), bias: b.uniform([3], -0.1, 0.2) },
        { batch_input_shape: [null, 4, 8, 8, 1], dtype: "float32" },
      );
      lif(b, "lif1", th);
      td("td_pool", "AveragePooling2D", {
        pool_size: [2, 2],
        strides: [2, 2],
        padding: "valid",
        data_format: "channels_last",
      });
      td("td_flatten", "Flatten", { data_format: "channels_last" });
      td(
        "td_dense",
        "Dense",
        { units: 3, activation: "linear", use_bias: true },
        { kernel: b.uniform([48, 3], -0.3, 0.6), bias: b.uniform([3], -0.1, 0.2) },
      );
      b.layer("Readout", "readout", {});
    },
  },
];
