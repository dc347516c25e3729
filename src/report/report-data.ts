/**
 * The data of `snnc report`: everything the HTML page draws, as one JSON-able object (the page
 * embeds it as one JSON blob and renders its charts from it on load). Numbers are rounded to six
 * significant digits so that the page stays small; nothing in it depends on the time or machine.
 */
import type { CoreLoad } from "../loihi/model/integer-model.ts";

/** Spike slots of one layer in the raster: [reference step (1-based), neuron index, category]. */
export type RasterSpike = [number, number, RasterCategory];

/**
 * 0: both models emit the same value; 1: only the float model fires; 2: only the integer model
 * fires; 3: both fire with different values (graded outputs of multi-threshold layers).
 */
export type RasterCategory = 0 | 1 | 2 | 3;

export interface ReportData {
  format: "snnc.report";
  version: 1;
  model: { file: string; name: string; timesteps: number; encoding: string };
  target: { requested: string; name: string };
  inputs: { samples: number; from: string };
  summary: {
    populations: number;
    synapseGroups: number;
    neurons: number;
    synapses: number;
    cores: number;
    chips: number;
    /** Lava steps per sample (T plus the pipeline latency). */
    runSteps: number;
    spikeAgreement: number;
    readout: { id: string; argmaxAgree: number; samples: number; maxAbsDiff: number } | null;
    /** Why network.net is not written (null: it is). */
    netxReason: string | null;
  };
  /** Mean output per neuron and reference step over every sample (spikes; counts for graded layers). */
  firingRates: { layer: string; neurons: number; float: number | null; integer: number | null }[];
  raster: {
    sample: number;
    timesteps: number;
    layers: {
      layer: string;
      neurons: number;
      /** The first `shown` neurons are drawn. */
      shown: number;
      latency: number;
      /** False: no integer population of the same size implements the layer (float spikes only). */
      compared: boolean;
      spikes: RasterSpike[];
    }[];
  };
  thresholds: {
    stages: string[];
    /** Distinct finite thresholds per stage and layer, with how many neurons hold each. */
    values: { stage: string; layer: string; theta: number; count: number }[];
    /** Neurons whose threshold is ±∞ (never or always fire), per stage and layer. */
    nonFinite: { stage: string; layer: string; value: "+inf" | "-inf"; count: number }[];
  };
  quantisation: {
    connections: {
      id: string;
      from: string;
      to: string;
      kind: string;
      weightExp: number;
      maxAbsInt: number;
      /** max |ŵ − w| / max |w|, ŵ the weight the integers stand for. */
      maxErr: number;
      /** ‖ŵ − w‖₂ / ‖w‖₂ (null where the connection has no real-valued weights to compare). */
      rmsErr: number | null;
      clipped: number;
      synapses: number;
      /** From a pulse neuron: a state offset's or a per-step schedule's synapses, not a layer's weights. */
      fromPulse: boolean;
    }[];
    populations: {
      id: string;
      kind: string;
      neurons: number;
      g: number;
      vth: number;
      biasExp: number;
      biasMaxAbsErr: number;
      tau: number;
      tauQ: number;
    }[];
  };
  agreement: {
    samples: number;
    perLayer: { layer: string; latency: number; neurons: number; agreement: number; differing: number }[];
    spikeAgreement: number;
  };
  cores: {
    limits: {
      neurons: number;
      synapseMemoryBytes: number;
      inputAxons: number | null;
      outputAxons: number | null;
      thresholdProfiles: number | null;
    };
    cores: (CoreLoad & { core: number; chip: number; slices: { population: string; neurons: number }[] })[];
  };
  warnings: string[];
  notes: string[];
}

/** x rounded to six significant digits (exact integers stay as they are). */
export function round6(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(6));
}
