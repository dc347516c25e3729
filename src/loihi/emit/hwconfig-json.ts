/**
 * hwconfig.json: where every population sits (cores and chips of the board) and how full each core
 * is against the target's per-core limits, with totals and utilisation. Knows only its format;
 * the placement itself is passes/place-loihi.ts.
 */
import { coreLoad, type CoreLoad, type Placement } from "../model/integer-model.ts";
import { formatJson } from "../../util/json-format.ts";

const pct = (used: number, cap: number | null) =>
  cap === null || !Number.isFinite(cap) ? null : Math.round((1e4 * used) / cap) / 100;

export function hwconfigJson(p: Placement): string {
  const L = p.limits;
  const synPerCore = Math.floor((L.synapseMemoryBytes * 8) / L.synapseBits);
  const maxOver = (f: keyof CoreLoad) => p.cores.reduce((a, c) => Math.max(a, c[f]), 0);
  const doc = {
    format: "snnc.hwconfig",
    version: 1,
    target: p.target,
    board: { name: p.board, chips: p.boardChips, coresPerChip: p.coresPerChip, cores: p.boardChips * p.coresPerChip },
    limits: {
      perCore: {
        neurons: L.neurons,
        synapseMemoryBytes: L.synapseMemoryBytes,
        synapseBits: L.synapseBits,
        synapses: synPerCore,
        inputAxons: L.inputAxons,
        outputAxons: L.outputAxons,
        thresholdProfiles: L.thresholdProfiles,
      },
      perChip: { cores: p.coresPerChip, neurons: L.chipNeurons, synapses: L.chipSynapses },
    },
    totals: p.totals,
    utilisation: {
      boardCoresPercent: pct(p.totals.cores, p.boardChips * p.coresPerChip),
      meanCoreNeuronsPercent: pct(p.totals.neurons, p.totals.cores * L.neurons),
      meanCoreSynapseMemoryPercent: pct(p.totals.synapseMemoryBytes, p.totals.cores * L.synapseMemoryBytes),
      maxCoreNeuronsPercent: pct(maxOver("neurons"), L.neurons),
      maxCoreSynapseMemoryPercent: pct(maxOver("synapseMemoryBytes"), L.synapseMemoryBytes),
      maxCoreInputAxonsPercent: pct(maxOver("inputAxons"), L.inputAxons),
      maxCoreOutputAxonsPercent: pct(maxOver("outputAxons"), L.outputAxons),
      maxCoreProfilesPercent: pct(maxOver("profiles"), L.thresholdProfiles),
    },
    populations: p.populations,
    cores: p.cores.map((c) => ({
      core: c.core,
      chip: c.chip,
      coreInChip: c.coreInChip,
      ...coreLoad(c),
      populations: c.slices.map((s) => ({ id: s.population, neurons: [s.start, s.end] })),
    })),
    notes: p.notes,
  };
  return formatJson(doc);
}
