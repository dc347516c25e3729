/**
 * Operators of the custom domain `ai.snnc` (version 1, FORMATS.md §2), with the names, attributes
 * and input order of the TF.js SNN layers: neurons in snn-neurons.ts, norms and readout in
 * snn-norms.ts.
 */
import type { Converter } from "./context.ts";
import * as n from "./snn-neurons.ts";
import * as m from "./snn-norms.ts";

/** Operators of the `ai.snnc` domain. */
export const SNN_OPS: Readonly<Record<string, Converter>> = {
  LIF: n.lif,
  IF: n.ifNeuron,
  PLIF: n.plif,
  MultiThresholdLIF: n.multiThreshold,
  TdBN: m.tdbn,
  BNTT: m.bntt,
  TEBN: m.tebn,
  TAB: m.tab,
  PSPNorm: m.pspNorm,
  Readout: m.readout,
};
