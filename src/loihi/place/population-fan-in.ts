/**
 * What placement needs of each population: per target neuron, its stored synapses over all its
 * incoming connections (both weight planes of a connection that has two) and each connection's
 * fan-in (fan-in.ts); and the relay neurons the relayed weight planes add beside a population.
 */
import { populationSize, type FixedModel } from "../model/integer-model.ts";
import { planesOf } from "../model/weight-planes.ts";
import { connectionFanIn, type ConnectionFanIn } from "./fan-in.ts";

/** Per target neuron of a population: its stored synapses, and its incoming connections' fan-in. */
export interface FanIn {
  synapses: Int32Array;
  sources: (ConnectionFanIn & { key: number })[];
}

/**
 * Each synapse process counts: both weight planes of a connection that has two (weight-planes.ts);
 * a relayed high plane reads other neurons than its source's (the relay's), so other input axons.
 */
export function fanIn(m: FixedModel, popId: string, keyOf: Map<string, number>): FanIn {
  const pop = m.populations.find((p) => p.id === popId)!;
  const n = populationSize(pop);
  const synapses = new Int32Array(n);
  const sources: FanIn["sources"] = [];
  for (const c of m.connections) {
    if (c.to !== popId) continue;
    for (const pl of planesOf(c)) {
      const f = connectionFanIn(pl.connection, n);
      for (let o = 0; o < n; o++) synapses[o] += f.synapses[o]!;
      let key = keyOf.get(c.from)!;
      if (pl.relay) {
        key = keyOf.get(`relay of ${c.id}`) ?? keyOf.size;
        keyOf.set(`relay of ${c.id}`, key);
      }
      sources.push(Object.assign(f, { key }));
    }
  }
  return { synapses, sources };
}

/** Relay neurons (Lava Delta + Sigma: two per source neuron) of the relayed weight planes that read each population. */
export function relaysFrom(m: FixedModel): Map<string, number> {
  const r = new Map<string, number>();
  for (const c of m.connections)
    if (c.planes && c.synapse.kind === "conv" && c.from !== m.input.id) r.set(c.from, (r.get(c.from) ?? 0) + 2);
  return r;
}
