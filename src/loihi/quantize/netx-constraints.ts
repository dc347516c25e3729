/**
 * What netx (lava-dl's `netx.hdf5.Network`, the reader of network.net) can carry. One structural
 * check, `netxStructure`, serves the quantiser (a network netx can carry is quantised under netx's
 * constraints: weight exponent 0 on dense synapses, bias exponent 6) and the network.net writer,
 * whose `netxCheck` adds the parameters netx reproduces exactly (docs/LAVA-FIXED-POINT.md).
 */
import type { FixedModel, IntWeights, Synapse } from "../model/integer-model.ts";
import type { SynapticForm } from "./synaptic-form.ts";

export type NetxCheck = { ok: true } | { ok: false; reason: string };

/** The structure netx cares about, shared by the integer model and the real-valued synaptic form. */
export interface NetxNetwork {
  input: { id: string; shape: readonly number[] };
  /** Pulses (the neurons that deliver state offsets) are populations of kind "pulse". */
  populations: readonly { id: string; kind: string; v0?: ArrayLike<number> }[];
  connections: readonly {
    id: string;
    from: string;
    to: string;
    delay: number;
    synapse: Synapse<ArrayLike<number>>;
    port?: string;
  }[];
}

/** The synaptic form as netx sees it: its pulses become populations. */
export function netxNetworkOf(sf: SynapticForm): NetxNetwork {
  return {
    input: { id: sf.inputId, shape: sf.inputShape },
    populations: [...sf.pulses.map((p) => ({ id: p.id, kind: "pulse" })), ...sf.populations],
    connections: sf.connections,
  };
}

/**
 * Can netx carry this network's structure? A chain: every population has one input, from the
 * previous one (the first from the input), no delays, no state offsets; conv synapses between
 * [H,W,C] layers with symmetric padding; dense synapses from anything (netx flattens).
 */
export function netxStructure(m: NetxNetwork): NetxCheck {
  const gated = new Set(m.connections.filter((c) => c.port).map((c) => c.to));
  const beyond = m.populations.flatMap((p) => {
    const what = [
      p.kind === "atrlif" ? "soft reset: ATRLIF" : p.kind === "multi-threshold" ? "snnc's MultiThresholdLIF" : "",
      gated.has(p.id) ? "a per-step gain stage" : "",
    ].filter(Boolean);
    return what.length ? [`'${p.id}' (${what.join(", ")})`] : [];
  });
  if (beyond.length) {
    return {
      ok: false,
      reason: `${beyond.join(", ")}: netx loads CUBA and sigma-delta layers only (use network.lava.json)`,
    };
  }
  // a population's synapses from itself or a later one (not a state offset's one-to-one self weight)
  const order = new Map(m.populations.map((p, i) => [p.id, i] as const));
  const recurrent = m.connections.filter(
    (c) => c.synapse.kind !== "diagonal" && order.has(c.from) && order.get(c.from)! >= order.get(c.to)!,
  );
  if (recurrent.length) {
    return {
      ok: false,
      reason: `recurrent synapses (${recurrent.map((c) => `'${c.id}'`).join(", ")}): netx's dense_rec holds a dense layer's own recurrence, but not the pulse neurons that keep the layer silent in its last warm-up step, whose spikes the recurrence would carry into its first aligned step (use network.lava.json)`,
    };
  }
  const pulsed = new Set(m.populations.filter((p) => p.kind === "pulse").map((p) => p.id));
  const delayed = m.connections.filter((c) => c.delay > 0 && !pulsed.has(c.from));
  if (pulsed.size && delayed.length) {
    return {
      ok: false,
      reason: `'${delayed[0]!.id}' has a synaptic delay; netx's file form has no place for the pulse neurons that keep its source silent in the warm-up steps the delay would carry (use network.lava.json)`,
    };
  }
  const current = m.connections.filter((c) => pulsed.has(c.from) && c.id === `${c.to}/current0`);
  if (current.length) {
    return {
      ok: false,
      reason: `the constant current into the synaptic current of ${current.map((c) => `'${c.to}'`).join(", ")} needs a pulse neuron at its first aligned step, for which netx's file form has no place (use network.lava.json)`,
    };
  }
  const offsets = m.populations.filter(
    (p) =>
      p.kind !== "pulse" &&
      (p.v0 ||
        m.connections.some(
          (c) => c.to === p.id && (c.from === p.id || m.populations.find((q) => q.id === c.from)?.kind === "pulse"),
        )),
  );
  if (offsets.length || m.populations.some((p) => p.kind === "pulse")) {
    return {
      ok: false,
      reason: `state offsets (${offsets.map((p) => `'${p.id}'`).join(", ")}): netx sets no initial v per neuron, has a recurrent form for dense layers only (dense_rec) and no place for the pulse neurons that deliver the initial state and the warm-up inhibition (use network.lava.json)`,
    };
  }
  let prev = m.input.id;
  let prevFlat = m.input.shape.length === 1;
  for (const p of m.populations) {
    const cs = m.connections.filter((c) => c.to === p.id);
    if (cs.length !== 1)
      return {
        ok: false,
        reason: `'${p.id}' has ${cs.length} incoming synapse groups; netx layers form a chain (use network.lava.json)`,
      };
    const c = cs[0]!;
    if (c.from !== prev)
      return {
        ok: false,
        reason: `'${p.id}' reads '${c.from}', not the layer before it; netx layers form a chain (use network.lava.json)`,
      };
    if (c.delay)
      return {
        ok: false,
        reason: `'${c.id}' has a synaptic delay; netx's file form cannot align branches (use network.lava.json)`,
      };
    if (c.synapse.kind === "diagonal")
      return { ok: false, reason: `'${c.id}' is a one-to-one synapse; netx layers are dense or conv` };
    if (c.synapse.kind === "conv") {
      const s = c.synapse;
      if (prevFlat) return { ok: false, reason: `conv '${c.id}' reads a flat layer (netx dense layers are flat)` };
      if (s.pads[0] !== s.pads[1] || s.pads[2] !== s.pads[3])
        return {
          ok: false,
          reason: `conv '${c.id}' pads [${s.pads.join(", ")}] asymmetrically; Lava's conv pads symmetrically`,
        };
    }
    prevFlat = c.synapse.kind === "dense";
    prev = p.id;
  }
  return { ok: true };
}

/** The dense weight ranges reproduced exactly by netx's weight-bit optimisation + Lava's Dense. */
export function netxDenseRangeProblem(w: IntWeights): string | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  let zero = false;
  for (const v of w) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v === 0) zero = true;
  }
  if (lo === 0 && hi === 0) return "all weights are 0 (netx's weight-bit optimisation divides by the largest weight)";
  if (lo >= 0) return hi > 255 ? `all weights ≥ 0 with max ${hi} > 255 (acts as all zeros in Lava)` : undefined;
  if (hi <= 0) {
    if (zero)
      return `all weights ≤ 0 with zeros among them (netx picks MIXED, Lava's Dense picks INHIBITORY: not reproduced exactly)`;
    return lo < -255 ? `all weights < 0 with min ${lo} < −255` : undefined;
  }
  return lo < -256 || hi > 254 ? `mixed-sign weights in [${lo}, ${hi}], outside [−256, 254]` : undefined;
}

/** Can network.net express `m` exactly? Structure first (`netxStructure`), then the parameters netx can carry. */
export function netxCheck(m: FixedModel): NetxCheck {
  const structure = netxStructure(m);
  if (!structure.ok) return structure;
  for (const p of m.populations) {
    const c = m.connections.find((x) => x.to === p.id)!;
    if (c.planes)
      return {
        ok: false,
        reason: `'${c.id}' carries its weights in two planes (two synapse processes into '${p.id}'); a netx layer has one weight matrix (use network.lava.json)`,
      };
    if (c.weightExp !== 0)
      return {
        ok: false,
        reason: `'${c.id}' uses weight exponent ${c.weightExp}; netx ignores wgtExp, so it would be lost`,
      };
    if (p.biasExp !== 6 && p.biasMant.some((b) => b !== 0))
      return { ok: false, reason: `'${p.id}' uses bias exponent ${p.biasExp}; netx fixes it at 6` };
    if (c.synapse.kind === "dense") {
      const problem = netxDenseRangeProblem(c.synapse.weights);
      if (problem) return { ok: false, reason: `dense '${c.id}': ${problem}` };
    }
  }
  return { ok: true };
}
