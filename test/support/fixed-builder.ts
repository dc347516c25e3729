/** Building integer (Loihi fixed-point) models by hand in tests: populations, synapses, connections. */
import type {
  ConvSynapse,
  DenseSynapse,
  DiagonalSynapse,
  FixedConnection,
  FixedInput,
  FixedModel,
  FixedPopulation,
} from "../../src/loihi/model/integer-model.ts";

/** A LIF population at `depth` (du 4095, dv 0, vth 1, no bias) reset every `runSteps` steps; `p` overrides. */
export function pop(
  id: string,
  shape: number[],
  p: Partial<FixedPopulation> & { depth: number },
  runSteps: number,
): FixedPopulation {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    id,
    kind: "lif",
    shape,
    du: 4095,
    dv: 0,
    vth: 1,
    biasMant: new Int32Array(n),
    biasExp: 6,
    resetInterval: runSteps,
    resetOffset: p.depth + 1,
    vScale: new Float64Array(n).fill(64),
    source: id,
    ...p,
  };
}

/** A dense synapse from rows = inputs: rows[i][o]. */
export function denseSynapse(rows: number[][]): DenseSynapse {
  const I = rows.length;
  const O = rows[0]!.length;
  return { kind: "dense", inSize: I, outSize: O, weights: Int32Array.from(rows.flat()) };
}

export function conn(
  id: string,
  from: string,
  to: string,
  synapse: DenseSynapse | ConvSynapse | DiagonalSynapse,
  extra: Partial<FixedConnection> = {},
): FixedConnection {
  return { id, from, to, delay: 0, weightExp: 0, synapse, origin: [id], ...extra };
}

export function binaryInput(shape: number[], encoding: "spikes" | "direct" = "spikes"): FixedInput {
  return { id: "in", shape, kind: "binary", messageBits: 0, scale: 1, min: 0, max: 1, encoding };
}

/** A loihi2 model of T steps run over `runSteps`; its output is the last population. */
export function fixedModel(
  input: FixedInput,
  pops: FixedPopulation[],
  conns: FixedConnection[],
  T: number,
  runSteps: number,
): FixedModel {
  return {
    name: "t",
    target: "loihi2",
    timesteps: T,
    runSteps,
    input,
    populations: pops,
    connections: conns,
    outputs: [pops[pops.length - 1]!.id],
  };
}

export const arr = (xs: ArrayLike<number>) => Array.from(xs);
