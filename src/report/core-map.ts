/**
 * The report's core utilisation map: what hwconfig.json says about every core (its use against the
 * target's per-core limits, and which populations' neurons it holds), from the placement.
 */
import { coreLoad, type Placement } from "../loihi/model/integer-model.ts";
import type { ReportData } from "./report-data.ts";

export function coreMap(p: Placement): ReportData["cores"] {
  const L = p.limits;
  return {
    limits: {
      neurons: L.neurons,
      synapseMemoryBytes: L.synapseMemoryBytes,
      inputAxons: L.inputAxons,
      outputAxons: L.outputAxons,
      thresholdProfiles: L.thresholdProfiles,
    },
    cores: p.cores.map((c) => ({
      core: c.core,
      chip: c.chip,
      ...coreLoad(c),
      slices: c.slices.map((s) => ({ population: s.population, neurons: s.end - s.start })),
    })),
  };
}
