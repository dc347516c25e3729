/**
 * One IR node type per construct of SEMANTICS.md, each with its inference equation.
 * Activations are NHWC without the batch axis: [H, W, C] after conv/pool, [F] after dense/flatten.
 * Parameters are float64 Tensors (see tensor.ts for broadcasting of neuron parameters).
 * `inputs` name the producing nodes; `shape` is the output shape filled in by inferShapes.
 */
import type { Tensor } from "./tensor.ts";

export type FireMode = "gt" | "ge";
export type ResetMode = "hard" | "soft";
/** Explicit zero padding [top, bottom, left, right]. */
export type Pads = [number, number, number, number];

interface Base {
  id: string;
  inputs: string[];
  /** Output shape, without batch. Filled in by inferShapes. */
  shape?: number[];
  /** Free-form provenance (source layer names, notes written by passes). */
  origin?: string[];
}

/** Network input: the analog image (direct encoding) or spikes, presented every step. */
export interface InputNode extends Base {
  op: "input";
  inputShape: number[];
}

/** c = conv(x, W) + b. kernel HWIO [kh, kw, Cin/groups, Cout], cross-correlation as Keras. */
export interface Conv2DNode extends Base {
  op: "conv2d";
  kernel: Tensor;
  bias?: Tensor;
  strides: [number, number];
  /** "same" / "valid" as Keras resolves them, or explicit pads. */
  padding: "same" | "valid" | Pads;
  dilation: [number, number];
  groups: number;
}

/** c = x W + b, kernel [in, out]. */
export interface DenseNode extends Base {
  op: "dense";
  kernel: Tensor;
  bias?: Tensor;
}

/**
 * Pooling over H, W per channel. avg: mean over the cells inside the input (TF "same" semantics);
 * max: maximum; sum: plain sum over the window (a lowering target for avg).
 */
export interface PoolNode extends Base {
  op: "avgpool" | "maxpool" | "sumpool";
  pool: [number, number];
  strides: [number, number];
  padding: "same" | "valid";
}

export interface FlattenNode extends Base {
  op: "flatten";
}

export interface ReshapeNode extends Base {
  op: "reshape";
  target: number[];
}

/** Zero padding of H and W. */
export interface PadNode extends Base {
  op: "pad";
  pads: Pads;
}

/** Element-wise sum of all inputs (same shapes). */
export interface AddNode extends Base {
  op: "add";
}

/** y = scale ⊙ x + shift; scale/shift broadcast ([] / [C] / full). Written by passes. */
export interface AffineNode extends Base {
  op: "affine";
  scale: Tensor;
  shift: Tensor;
}

/** Batch norm (inference): y = γ (x − μ) / sqrt(σ² + ε) + β, per channel (last axis). */
export interface BatchNormNode extends Base {
  op: "bn";
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
}

/** tdBN: y = γ α V_th (x − μ) / sqrt(σ² + ε) + β. */
export interface TdBNNode extends Base {
  op: "tdbn";
  alpha: number;
  vth: number;
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
}

/** BNTT: y_t = γ_t (x − μ_t) / sqrt(σ_t² + ε); params [T, C], no β. */
export interface BNTTNode extends Base {
  op: "bntt";
  timesteps: number;
  gamma: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
}

/** TEBN: y_t = p_t (γ (x − μ)/sqrt(σ² + ε) + β); γ, β, μ, σ² [C]; p [T] or [T, C]. */
export interface TEBNNode extends Base {
  op: "tebn";
  timesteps: number;
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  p: Tensor;
  epsilon: number;
}

/** TAB: y_t = γ̂_t (x − μ_{1:t}) / sqrt(σ²_{1:t} + ε) + β̂_t; all [T, C] (already accumulated). */
export interface TABNode extends Base {
  op: "tab";
  timesteps: number;
  gammaHat: Tensor;
  betaHat: Tensor;
  meanAcc: Tensor;
  varAcc: Tensor;
  epsilon: number;
}

/**
 * PSP normalisation. bn: â = γ a / sqrt(E[a²] + λ) per channel of its input.
 * ln: statistics of the sample itself over C×H×W×T: not an inference-time layer (refused).
 */
export interface PSPNormNode extends Base {
  op: "pspnorm";
  mode: "bn" | "ln";
  lambda: number;
  gamma?: Tensor;
  sqMean?: Tensor;
}

/** Membrane-potential BN owned by a neuron (MPBN Eq. 7-10, 13): fire iff k(h − μ) + β ⋈ θ. */
export interface MPBN {
  mode: "channel" | "element";
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
}

/**
 * Per-step neuron parameter schedule (BNTT/TEBN/TAB lowered by state rescaling, SEMANTICS §3).
 * Entry t (0-based) applies at step t+1: decay replaces `decay`, bias is added to the current,
 * thresholdScale multiplies every compare threshold, the soft-reset amount and v_reset, and gain
 * (when present) multiplies the input term gain·c: h = decay_t·v + gain_t·gain·c + bias + bias_t.
 * The folds write the rescaled form (no gain); a target that scales its synaptic current per step
 * writes the unscaled one (decay τ and thresholdScale 1 at every step, gain_t = a_t).
 */
export interface NeuronSchedule {
  decay: Tensor[];
  bias: Tensor[];
  thresholdScale: Tensor[];
  gain?: Tensor[];
}

/**
 * Spiking neuron population (SEMANTICS §1). With c the input current:
 *   h = decay·v[t-1] + gain·c + bias          (IF: decay 1; LIF: decay τ ∈ [0, 1], 0 = no memory;
 *                                              PLIF unfolded: plifA set, decay = 1−1/τ_m, gain = 1/τ_m)
 *       + selfWeight·s_0[t-1]                  (only when selfWeight is set; s_0[0] = 0)
 *   s_0 = m(h) ⋈ threshold,  s_i = m(h) ⋈ planeThresholds[i]   (m = MPBN normalisation, or identity)
 *   hard reset: v = h(1−s_0) + vReset·s_0;  soft reset: v = h − resetAmount·s_0
 *   output: s_0 (binary), or s_sum = s_0 + Σ s_i for MT layers.
 *   v[0] = v0 (0 when absent).
 * threshold / planeThresholds / vReset / resetAmount / gain / bias / v0 / selfWeight broadcast
 * ([] / [C] / full).
 */
export interface NeuronNode extends Base {
  op: "neuron";
  /** The source neuron type (kept for reports): IF, LIF, PLIF, or MT over LIF/PLIF. */
  model: "IF" | "LIF" | "PLIF" | "MT-LIF" | "MT-PLIF";
  decay: number;
  gain: Tensor;
  bias: Tensor;
  /** PLIF's learnt `a` (τ_m = 1 + exp(−a)) while unfolded; absent after fold-plif. */
  plifA?: number;
  fire: FireMode;
  reset: ResetMode;
  threshold: Tensor;
  /** MT-LIF planes 1..n: the compare thresholds (θ + Δ_i before any fold). */
  planeThresholds?: Tensor[];
  /** MT-LIF Δ_i as written by the model (reports only). */
  deltas?: number[];
  vReset: Tensor;
  resetAmount: Tensor;
  /** The configured v_threshold θ (reports only; semantics use threshold/resetAmount). */
  vThreshold: number;
  mpbn?: MPBN;
  schedule?: NeuronSchedule;
  /**
   * Initial state v[0] (default 0). Written by lower-state-offset (a state offset δ starts the
   * shifted state at δ); the float folds run before it and never see it.
   */
  v0?: Tensor;
  /**
   * Self-recurrent weight: the neuron's own spike s_0 of the previous step adds selfWeight to h
   * (default: none). Written by lower-state-offset: a reset value R ≠ 0 becomes a reset to 0 plus
   * decay·R one step later, as a recurrent synapse delivers it. Not scaled by a schedule.
   */
  selfWeight?: Tensor;
}

/**
 * One binary spike plane of a neuron (MT-SNN Eq. 10-12), written by split-mt. Its only input is a
 * neuron node; with m the neuron's compared membrane (after MPBN and its schedule, SEMANTICS §1):
 *   index 0:  y = s_0 = m ⋈ threshold           (the plane that drives the reset)
 *   index i:  y = s_i = m ⋈ planeThresholds[i−1] (i = 1..n; a negative Δ fires below θ, never resets)
 * so the neuron's s_sum = Σ_{i=0..n} plane_i. The plane is a view: it adds no state and the
 * neuron keeps its one membrane. Output shape = the neuron's shape, values 0/1.
 */
export interface PlaneNode extends Base {
  op: "plane";
  index: number;
}

/**
 * Leaky integrator, non-spiking, per element (NIR's LI and I, and the synaptic current of NIR's
 * CubaLI / CubaLIF):
 *   y[t] = decay ⊙ y[t−1] + gain ⊙ x[t] + bias,   y[0] = 0,   decay ∈ [0, 1]
 * decay / gain / bias broadcast ([] / [C] / full). Its output is a real value (a current or a
 * membrane), never a spike. When it is a model output it is the model's readout: its value after
 * the last step.
 */
export interface LeakyIntegratorNode extends Base {
  op: "li";
  decay: Tensor;
  gain: Tensor;
  bias: Tensor;
}

/**
 * Delay by whole time steps, per element: y[t] = x[t − steps] (0 while t < steps); steps are
 * integers ≥ 0, broadcast ([] / [C] / full). A delay whose steps are all ≥ 1 may read a node that
 * comes after it in the graph order: that is a recurrent edge (a cycle of the network is closed
 * through it). Such a delay states the shape of the node it reads in `sourceShape`, which shape
 * inference checks against that node.
 */
export interface DelayNode extends Base {
  op: "delay";
  steps: Tensor;
  /** The shape of the node it reads; required when that node comes later (a recurrent edge). */
  sourceShape?: number[];
}

/** Non-spiking output: o = (1/T) Σ_t x[t] (mean) or Σ_t x[t] (sum). Its input is a current. */
export interface ReadoutNode extends Base {
  op: "readout";
  mode: "mean" | "sum";
}

export type IRNode =
  | InputNode
  | Conv2DNode
  | DenseNode
  | PoolNode
  | FlattenNode
  | ReshapeNode
  | PadNode
  | AddNode
  | AffineNode
  | BatchNormNode
  | TdBNNode
  | BNTTNode
  | TEBNNode
  | TABNode
  | PSPNormNode
  | NeuronNode
  | PlaneNode
  | LeakyIntegratorNode
  | DelayNode
  | ReadoutNode;

export type Op = IRNode["op"];

/** The normalisation layers (SEMANTICS §2): BN, TdBN, the per-step BNTT / TEBN / TAB and PSPNorm. */
export type NormNode = BatchNormNode | TdBNNode | BNTTNode | TEBNNode | TABNode | PSPNormNode;

const NORM_OPS: ReadonlySet<Op> = new Set<NormNode["op"]>(["bn", "tdbn", "bntt", "tebn", "tab", "pspnorm"]);

export function isNormNode(n: IRNode): n is NormNode {
  return NORM_OPS.has(n.op);
}

export interface ModelMeta {
  /** Number of time steps T the model was trained for. */
  timesteps: number;
  /** "direct": the analog input is presented at every step; "spikes": inputs are spike trains. */
  encoding: "direct" | "spikes";
  /**
   * The time step, for a model read from a continuous-time format (NIR): dt in seconds and how
   * time constants became decays ("euler": 1 − dt/τ; "exp": exp(−dt/τ)). Informational for the
   * discrete IR; a NIR writer uses it to state time constants again.
   */
  timeStep?: { dt: number; method: "euler" | "exp" };
  /** Where the model came from (file name, format); informational. */
  source?: string;
}

/**
 * A model: nodes in topological order (every input defined before use), one input node,
 * `outputs` the ids whose values are the model's result (readouts, or the last spiking layer).
 */
export interface Graph {
  name: string;
  meta: ModelMeta;
  nodes: IRNode[];
  outputs: string[];
}
