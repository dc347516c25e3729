/**
 * What the quantiser takes (options) and gives back (the integer model with, per population and
 * per state offset, how its integers were chosen: the report's material).
 */
import type { FixedModel, FixedPopulationKind } from "../model/integer-model.ts";
import type { GainStageQuant } from "./gain-stage.ts";
import type { ScaleSplit } from "./split-scales.ts";
import type { RealConnection } from "./synaptic-form.ts";

export interface QuantizeOptions {
  /** Constrain to what netx can carry: weight exponent 0 on dense synapses, bias exponent 6. */
  netx: boolean;
  /** Largest |x| of analog inputs (direct encoding). */
  inputRange?: number;
  /** True when analog inputs can be negative. */
  inputSigned?: boolean;
  /** Where the input range came from (report). */
  inputRangeFrom?: "calibration" | "default";
  /** Cap on vth (threshold mantissa) to keep headroom below saturation (default 2^15). */
  vthCap?: number;
  /** Split populations whose neurons want very different scales (default true; split-scales.ts). */
  splitScales?: boolean;
  /** Carry weights that need more than 8 bits in two planes (weight-planes.ts); never with netx. */
  weightPlanes?: boolean;
}

/** How one connection became integers. */
export interface ConnectionQuant {
  id: string;
  from: string;
  how: string;
  kind: "dense" | "conv" | "diagonal";
  weightExp: number;
  /** Two weight planes this far apart (absent: one). */
  planes?: number;
  delay: number;
  maxAbsInt: number;
  relErr: number;
  clipped: number;
  synapses: number;
}

export interface PopulationQuant {
  id: string;
  kind: FixedPopulationKind;
  neurons: number;
  depth: number;
  /** Integer synaptic units per unit of float current. */
  g: number;
  vth: number;
  du: number;
  dv: number;
  /** The decay the integers implement: 1 − dv/4096. */
  tauQ: number;
  tau: number;
  biasExp: number;
  /** max |b_int/(64g) − b| over neurons. */
  biasMaxAbsErr: number;
  /** Which constraint set g. */
  limitedBy: string;
  connections: ConnectionQuant[];
  /** Bounds of one step's synaptic input a (integer units). */
  aMax: number;
  aMin: number;
}

/** How a state offset or a warm-up silence became integers (one per population that has one). */
export interface OffsetQuant {
  id: string;
  depth: number;
  /** The initial state: weights τ·δ from the pulse at step `depth`, arriving at step depth + 1. */
  init?: { pulse: string; maxAbsInt: number; weightExp: number };
  /** The self-recurrent synapse τ·R. */
  self?: { maxAbsInt: number; weightExp: number };
  /**
   * The warm-up inhibition: from the pulse at step depth − 1 (0: the last step of the previous
   * sample), as large as the most its population sources and its bias can add at step depth, so
   * that the self-recurrence carries no warm-up spike into the first aligned step.
   */
  inhibit?: {
    /** The pulse of the first silent step (the others follow, one a step). */
    pulse: string;
    /** Silent steps: depth − steps + 1 .. depth. */
    steps: number;
    connections: number;
    weightExp: number;
    maxInt: number;
    maxInhibition: number;
    headroom: number;
  };
  /** Read through a delay of up to this many steps (a recurrent edge, NIR Delay): its warm-up steps kept silent. */
  silence?: number;
  /** Depth 1: neurons whose bias alone would cross the threshold at step 1 of the first sample, held below by an initial v. */
  firstStepV0: number;
}

export interface QuantizeResult {
  model: FixedModel;
  populations: PopulationQuant[];
  warnings: string[];
  notes: string[];
  offsets: OffsetQuant[];
  /** The per-step gain stages (docs/LOIHI-SEEDS.md §2). */
  gains: GainStageQuant[];
  /** Populations split into copies of their own scale (split-scales.ts). */
  splits: ScaleSplit[];
  /** The real-valued connections the integer ones were rounded from (after the splits), by the same ids. */
  realConnections: RealConnection[];
}
