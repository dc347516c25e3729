/**
 * A hardware target as data (targets/<name>.json, validated by targets/target.schema.json).
 * The types mirror the schema; the numbers themselves live only in the JSON files.
 */
export type IntRange = [number, number];

export interface TargetArithmetic {
  /** Width of u and v: u wraps at this width, v saturates at ±(2^(bits-1) − 1). */
  stateBits: number;
  /** du, dv ∈ [0, 2^decayBits − 1]; decay unity 2^decayBits. */
  decayBits: number;
  vthBits: number;
  /** Spike iff v > vth << vthShift. */
  vthShift: number;
  /** Synaptic input enters u as a << activationShift. */
  activationShift: number;
  biasMantissaBits: number;
  biasExponentRange: IntRange;
  weightBits: number;
  /** Exactly reproduced integer weight ranges by sign mode of the whole matrix. */
  weightRanges: { excitatory: IntRange; mixed: IntRange; inhibitory: IntRange };
  weightExponentRange: IntRange;
  gradedSpikeBits: number;
  /** Payload width for analog (direct-encoded) inputs; 0: binary inputs only. */
  inputMessageBits: number;
  delayRange?: IntRange;
}

export interface TargetFeatures {
  gradedSpikes: boolean;
  perNeuronThresholds: boolean;
  schedules: boolean;
  delays: boolean;
  softReset: boolean;
  nonZeroReset: boolean;
  sharedConvWeights: boolean;
}

export interface TargetCore {
  neurons: number;
  synapseMemoryBytes: number;
  synapseBits: number;
  inputAxons?: number;
  outputAxons?: number;
  thresholdProfiles?: number;
}

export interface TargetChip {
  cores: number;
  neurons?: number;
  synapses?: number;
}

export interface TargetBoard {
  name: string;
  chips: number;
  description?: string;
}

export interface TargetSpec {
  name: string;
  aliases?: string[];
  family: "loihi";
  description: string;
  sources?: string[];
  arithmetic: TargetArithmetic;
  features: TargetFeatures;
  core: TargetCore;
  chip: TargetChip;
  boards: TargetBoard[];
  defaultBoard: string;
  /** The file the description was read from (set by the loader). */
  file?: string;
}

/** The board a placement is checked against: the named one, else the target's default. */
export function boardOf(t: TargetSpec, name?: string): TargetBoard {
  const want = name ?? t.defaultBoard;
  const b = t.boards.find((x) => x.name === want);
  if (!b)
    throw new RangeError(
      `target '${t.name}' has no board '${want}' (boards: ${t.boards.map((x) => x.name).join(", ")})`,
    );
  return b;
}
