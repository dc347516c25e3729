/**
 * place-loihi: every neuron of the integer model onto a core of a chip of the board, within the
 * target's per-core limits (targets/<hw>.json `core`): neurons (a population's gain stage, a Lava
 * ProdNeuron, adds one neuron per neuron on the same core), synapse memory (stored synapses ×
 * synapseBits), input axons (distinct source neurons feeding the core), output axons (Σ over the
 * core's neurons of the distinct cores each one projects to) and threshold profiles (one per
 * population on the core); and the per-chip limits (cores, neurons, synapses) and the board's chips.
 *
 * Greedy, deterministic: populations in model order, neurons in flat order, filling the current
 * core until the next neuron would break a limit, then opening the next core (populations share
 * a core when everything fits). Output axons depend on where the readers land, so they are
 * checked after a pass; a core over the limit caps its population's neurons per core and the
 * placement is redone. A network that cannot fit gets an E_TARGET error with the numbers.
 */
import { SnncError } from "../../ir/errors.ts";
import { populationSize, type CoreUse, type FixedModel, type Placement } from "../model/integer-model.ts";

export type { CoreUse, Placement };
import { boardOf, type TargetBoard, type TargetSpec } from "../../target/target.ts";
import { type ConnectionFanIn, popcount } from "./fan-in.ts";
import { fanIn, relaysFrom } from "./population-fan-in.ts";

function limitOf(v: number | undefined): number {
  return v ?? Infinity;
}

export interface PlaceOptions {
  board?: string;
  /**
   * Count every core's input and output axons (default). false leaves them at 0 where the target
   * sets no limit on them: the verdict and every core's neurons, synapses and slices are the same
   * (axons only ever decide a placement through their limits), for a caller that needs only those.
   */
  axons?: boolean;
}

export function placeLoihi(m: FixedModel, t: TargetSpec, opts: PlaceOptions = {}): Placement {
  let board: TargetBoard;
  try {
    board = boardOf(t, opts.board);
  } catch (e) {
    throw new SnncError("E_USAGE", (e as Error).message);
  }
  const L = t.core;
  const maxNeurons = L.neurons;
  const memBytes = L.synapseMemoryBytes;
  const synPerCore = Math.floor((memBytes * 8) / L.synapseBits);
  const inAx = limitOf(L.inputAxons);
  const outAx = limitOf(L.outputAxons);
  const profiles = limitOf(L.thresholdProfiles);
  const countIn = opts.axons !== false || inAx !== Infinity;
  const countOut = opts.axons !== false || outAx !== Infinity;
  const keyOf = new Map<string, number>([
    [m.input.id, 0],
    ...m.populations.map((p, i) => [p.id, i + 1] as [string, number]),
  ]);
  const fan = new Map(m.populations.map((p) => [p.id, fanIn(m, p.id, keyOf)]));
  const relays = relaysFrom(m);
  // Single-neuron feasibility: a neuron must fit one core on its own.
  for (const p of m.populations) {
    const f = fan.get(p.id)!;
    for (let i = 0; i < f.synapses.length; i++) {
      if (f.synapses[i]! > synPerCore) {
        throw new SnncError(
          "E_TARGET",
          `neuron ${i} of '${p.id}' has ${f.synapses[i]} synapses (${Math.ceil((f.synapses[i]! * L.synapseBits) / 8)} bytes); a ${t.name} core holds ${memBytes} bytes of synapses (${synPerCore} synapses)`,
          { layer: p.id },
        );
      }
      const ax = f.synapses[i]!; // the source neurons it reads, counted per connection
      if (ax > inAx)
        throw new SnncError(
          "E_TARGET",
          `neuron ${i} of '${p.id}' receives from ${ax} source neurons; a ${t.name} core has ${inAx} input axons`,
          { layer: p.id },
        );
    }
  }
  // one bitset per source for inputAxonsOf, cleared after each core
  const sourceBits = new Map<number, Int32Array>();
  const caps = new Map<string, number>();
  for (let attempt = 0; attempt < 64; attempt++) {
    const r = pack();
    const over = r.cores.find((c) => c.outputAxons > outAx);
    if (!over) return finish(r);
    // cap the neurons per core of the population that contributes most output axons there, and redo
    let worst = over.slices[0]!;
    let worstAx = -1;
    for (const sl of over.slices) {
      const ax = r.outAx.get(sl.population)!;
      let sum = 0;
      for (let i = sl.start; i < sl.end; i++) sum += ax[i]!;
      if (sum > worstAx) {
        worst = sl;
        worstAx = sum;
      }
    }
    const len = worst.end - worst.start;
    if (over.neurons === 1) {
      throw new SnncError(
        "E_TARGET",
        `neuron ${worst.start} of '${worst.population}' projects to ${over.outputAxons} cores; a ${t.name} core has ${outAx} output axons`,
        { layer: worst.population },
      );
    }
    const excess = over.outputAxons - outAx;
    const cap = Math.max(
      1,
      Math.min(len - 1, Math.floor((len * Math.max(0, worstAx - excess)) / Math.max(1, worstAx))),
    );
    caps.set(worst.population, Math.min(caps.get(worst.population) ?? Infinity, cap));
  }
  throw new SnncError("E_TARGET", `no placement within ${outAx} output axons per core was found`);

  function pack(): { cores: CoreUse[]; coreOf: Map<string, Int32Array>; outAx: Map<string, Int32Array> } {
    const cores: CoreUse[] = [];
    const coreOf = new Map<string, Int32Array>();
    let cur: CoreUse | undefined;
    // bits[key]: the source's neurons read by the current core (input axons), when counted per neuron
    const bits = new Map<number, Int32Array>();
    const bitsOf = (s: { key: number; srcSize: number }) => {
      let b = bits.get(s.key);
      if (!b) {
        b = new Int32Array((s.srcSize + 31) >>> 5);
        bits.set(s.key, b);
      }
      return b;
    };
    const perNeuron = inAx !== Infinity;
    // running totals of the current chip (per-chip neuron / synapse limits)
    let chipNeurons = 0;
    let chipSynapses = 0;
    const chipN = limitOf(t.chip.neurons);
    const chipS = limitOf(t.chip.synapses);
    /** The next core; on a fresh chip when the current one is full or cannot take `needN` neurons and `needSyn` synapses. */
    const open = (needN: number, needSyn: number): CoreUse => {
      let idx = cur ? cur.core + 1 : 0;
      const sameChip = cur !== undefined && Math.floor(idx / t.chip.cores) === cur.chip;
      if (sameChip && (chipNeurons + needN > chipN || chipSynapses + needSyn > chipS))
        idx = (cur!.chip + 1) * t.chip.cores;
      const chip = Math.floor(idx / t.chip.cores);
      if (!cur || chip !== cur.chip) {
        chipNeurons = 0;
        chipSynapses = 0;
      }
      const c: CoreUse = {
        core: idx,
        chip,
        coreInChip: idx % t.chip.cores,
        slices: [],
        neurons: 0,
        synapses: 0,
        synapseMemoryBytes: 0,
        inputAxons: 0,
        outputAxons: 0,
        profiles: 0,
      };
      cores.push(c);
      for (const b of bits.values()) b.fill(0);
      return c;
    };
    for (const p of m.populations) {
      const n = populationSize(p);
      const f = fan.get(p.id)!;
      const where = new Int32Array(n);
      coreOf.set(p.id, where);
      const cap = caps.get(p.id) ?? Infinity;
      // a gain stage (Lava ProdNeuron) is one more neuron per neuron, beside it on its core; so are relays
      const w = (p.gainStage ? 2 : 1) + (relays.get(p.id) ?? 0);
      let onThis = 0;
      /** Whether neuron i fits core c (made once per population, not per neuron). */
      const fits = (c: CoreUse, i: number): boolean => {
        const newProfile = c.slices.length === 0 || c.slices[c.slices.length - 1]!.population !== p.id;
        if (c.neurons + w > maxNeurons) return false;
        if (chipNeurons + w > chipN || chipSynapses + f.synapses[i]! > chipS) return false;
        if (c.synapses + f.synapses[i]! > synPerCore) return false;
        if (newProfile && c.profiles + 1 > profiles) return false;
        if (!newProfile && onThis + 1 > cap) return false;
        if (perNeuron) {
          let add = 0;
          for (const s of f.sources) add += s.newSources(i, bitsOf(s), false);
          if (c.inputAxons + add > inAx) return false;
        }
        return true;
      };
      for (let i = 0; i < n; i++) {
        if (!cur || !fits(cur, i)) {
          cur = open(w, f.synapses[i]!);
          onThis = 0;
        }
        const c = cur;
        const last = c.slices[c.slices.length - 1];
        if (!last || last.population !== p.id) {
          c.slices.push({ population: p.id, start: i, end: i + 1 });
          c.profiles++;
          onThis = 0;
        } else last.end = i + 1;
        onThis++;
        c.neurons += w;
        c.synapses += f.synapses[i]!;
        chipNeurons += w;
        chipSynapses += f.synapses[i]!;
        if (perNeuron) for (const s of f.sources) c.inputAxons += s.newSources(i, bitsOf(s), true);
        where[i] = c.core;
      }
    }
    if (!perNeuron && countIn) for (const c of cores) c.inputAxons = inputAxonsOf(c);
    const outAxOf = countOut ? outputAxons(cores, coreOf) : new Map<string, Int32Array>();
    for (const c of cores) c.synapseMemoryBytes = Math.ceil((c.synapses * L.synapseBits) / 8);
    return { cores, coreOf, outAx: outAxOf };
  }

  /** Distinct source neurons read by the core's neurons (per source), from its slices at once. */
  function inputAxonsOf(c: CoreUse): number {
    const used = new Set<Int32Array>();
    for (const sl of c.slices) {
      for (const s of fan.get(sl.population)!.sources) {
        let b = sourceBits.get(s.key);
        if (!b) {
          b = new Int32Array((s.srcSize + 31) >>> 5);
          sourceBits.set(s.key, b);
        }
        used.add(b);
        s.markRange(sl.start, sl.end, b);
      }
    }
    let n = 0;
    for (const b of used) {
      for (let w = 0; w < b.length; w++) if (b[w] !== 0) n += popcount(b[w]!);
      b.fill(0);
    }
    return n;
  }

  /** Output axons: per source neuron, the distinct cores its targets sit on; per core, their sum. */
  function outputAxons(cores: CoreUse[], coreOf: Map<string, Int32Array>): Map<string, Int32Array> {
    const runEnds = new Map<string, Int32Array>();
    for (const [id, where] of coreOf) {
      const end = new Int32Array(where.length);
      for (let o = where.length - 1; o >= 0; o--)
        end[o] = o + 1 < where.length && where[o + 1] === where[o] ? end[o + 1]! : o + 1;
      runEnds.set(id, end);
    }
    const outgoing = new Map<string, { f: ConnectionFanIn; where: Int32Array; runEnd: Int32Array }[]>();
    for (const p of m.populations) {
      for (const f of fan.get(p.id)!.sources) {
        if (f.from === m.input.id) continue;
        const list = outgoing.get(f.from) ?? [];
        list.push({ f, where: coreOf.get(p.id)!, runEnd: runEnds.get(p.id)! });
        outgoing.set(f.from, list);
      }
    }
    const byIndex: CoreUse[] = [];
    for (const c of cores) byIndex[c.core] = c;
    const outAxOf = new Map(m.populations.map((p) => [p.id, new Int32Array(populationSize(p))] as const));
    const stamp = new Float64Array(cores.length ? cores[cores.length - 1]!.core + 1 : 0).fill(-1);
    let id = 0;
    let count = 0;
    const visit = (core: number) => {
      if (stamp[core] !== id) {
        stamp[core] = id;
        count++;
      }
    };
    for (const [srcId, outs] of outgoing) {
      const at = coreOf.get(srcId)!;
      const ax = outAxOf.get(srcId)!;
      for (let j = 0; j < at.length; j++) {
        id++;
        count = 0;
        for (const o of outs) o.f.targetCores(j, o.where, o.runEnd, visit);
        if (count === 0) continue;
        byIndex[at[j]!]!.outputAxons += count;
        ax[j] = ax[j]! + count;
      }
    }
    return outAxOf;
  }

  function finish(r: { cores: CoreUse[]; coreOf: Map<string, Int32Array> }): Placement {
    const cores = r.cores;
    const chips = cores.length ? cores[cores.length - 1]!.chip + 1 : 0;
    let neurons = 0;
    let synapses = 0;
    for (const c of cores) {
      neurons += c.neurons;
      synapses += c.synapses;
    }
    const available = board.chips * t.chip.cores;
    if (chips > board.chips) {
      throw new SnncError(
        "E_TARGET",
        `the network does not fit board '${board.name}': it needs ${cores.length} cores (${chips} chips of ${t.chip.cores}) for ${neurons} neurons and ${synapses} synapses; the board has ${board.chips} chip${board.chips > 1 ? "s" : ""} (${available} cores of ${maxNeurons} neurons and ${memBytes} synapse bytes)`,
      );
    }
    for (let chip = 0; chip < chips; chip++) {
      let cn = 0;
      let cs = 0;
      for (const c of cores) {
        if (c.chip !== chip) continue;
        cn += c.neurons;
        cs += c.synapses;
      }
      if (t.chip.neurons !== undefined && cn > t.chip.neurons)
        throw new SnncError(
          "E_TARGET",
          `chip ${chip} would hold ${cn} neurons; a ${t.name} chip holds ${t.chip.neurons}`,
        );
      if (t.chip.synapses !== undefined && cs > t.chip.synapses)
        throw new SnncError(
          "E_TARGET",
          `chip ${chip} would hold ${cs} synapses; a ${t.name} chip holds ${t.chip.synapses}`,
        );
    }
    const pops = m.populations.map((p) => {
      const at = r.coreOf.get(p.id)!;
      const f = fan.get(p.id)!;
      let syn = 0;
      for (let i = 0; i < f.synapses.length; i++) syn += f.synapses[i]!;
      // its cores, in order: `at` is nondecreasing (neurons fill cores in flat order)
      const used: number[] = [];
      for (let i = 0; i < at.length; i++) if (i === 0 || at[i] !== at[i - 1]) used.push(at[i]!);
      return { id: p.id, neurons: at.length, synapses: syn, cores: used };
    });
    const notes = [
      `${neurons} neurons, ${synapses} synapses on ${cores.length} core${cores.length === 1 ? "" : "s"} of ${chips} chip${chips === 1 ? "" : "s"} (board '${board.name}', ${board.chips} chip${board.chips === 1 ? "" : "s"})`,
    ];
    const staged = m.populations.filter((p) => p.gainStage);
    if (staged.length)
      notes.push(
        `gain stages (Lava ProdNeuron, one neuron per neuron, on the population's cores): ${staged.map((p) => `'${p.id}' (${populationSize(p)})`).join(", ")}`,
      );
    if (relays.size)
      notes.push(
        `weight-plane relays (Lava Delta + Sigma, two neurons per neuron, on the population's cores): ${[...relays].map(([k, v]) => `'${k}' (${(v / 2) * populationSize(m.populations.find((p) => p.id === k)!)} pairs)`).join(", ")}`,
      );
    const fromHost = m.connections.find((c) => c.planes && c.synapse.kind === "conv" && c.from === m.input.id);
    if (fromHost)
      notes.push(
        `weight planes from the input: the host sends a second stream of payloads times 2^${fromHost.planes} (no relay neurons)`,
      );
    if (caps.size)
      notes.push(`output axons: neurons per core capped for ${[...caps].map(([k, v]) => `'${k}' (${v})`).join(", ")}`);
    return {
      target: t.name,
      board: board.name,
      boardChips: board.chips,
      coresPerChip: t.chip.cores,
      cores,
      populations: pops,
      totals: {
        neurons,
        synapses,
        synapseMemoryBytes: cores.reduce((a, c) => a + c.synapseMemoryBytes, 0),
        cores: cores.length,
        chips,
      },
      limits: {
        neurons: maxNeurons,
        synapseMemoryBytes: memBytes,
        synapseBits: L.synapseBits,
        inputAxons: L.inputAxons ?? null,
        outputAxons: L.outputAxons ?? null,
        thresholdProfiles: L.thresholdProfiles ?? null,
        chipNeurons: t.chip.neurons ?? null,
        chipSynapses: t.chip.synapses ?? null,
      },
      notes,
    };
  }
}
