/**
 * Finds a layer's weight among the manifest names. The contract is `<layer name>/<weight>`;
 * also accepted, as TF.js and the Keras converter write them:
 *  - a `:0` suffix (TensorFlow variable names),
 *  - an outer scope before the layer name (`model/layer/kernel`),
 *  - for a TimeDistributed layer, the inner layer's name, alone or under the wrapper's
 *    (`td/kernel`, `conv/kernel`, `td/conv/kernel`).
 */
import { SnncError } from "../../ir/errors.ts";
import type { StoredWeight } from "./weights.ts";

export class WeightIndex {
  private readonly byName = new Map<string, StoredWeight>();
  private readonly used = new Set<string>();

  constructor(weights: Map<string, StoredWeight>) {
    for (const [name, w] of weights) this.byName.set(name.replace(/:0$/, ""), w);
  }

  /** The weight `<layer>/<weight>` of a layer, or undefined when the manifest has none. */
  find(layer: string, weight: string, innerName?: string): StoredWeight | undefined {
    const exact = [`${layer}/${weight}`];
    if (innerName !== undefined && innerName !== layer)
      exact.push(`${layer}/${innerName}/${weight}`, `${innerName}/${weight}`);
    for (const n of exact) {
      const w = this.byName.get(n);
      if (w) return this.take(n, w);
    }
    const suffixes = exact.map((n) => `/${n}`);
    const hits = [...this.byName.keys()].filter((n) => suffixes.some((s) => n.endsWith(s)));
    if (hits.length > 1) {
      throw new SnncError(
        "E_WEIGHT",
        `weight '${weight}' is ambiguous: the manifest has ${hits.map((h) => `'${h}'`).join(", ")}`,
        { layer, param: weight },
      );
    }
    if (hits.length === 1) return this.take(hits[0]!, this.byName.get(hits[0]!)!);
    return undefined;
  }

  private take(name: string, w: StoredWeight): StoredWeight {
    this.used.add(name);
    return w;
  }

  /** Manifest names no layer asked for. */
  unused(): string[] {
    return [...this.byName.keys()].filter((n) => !this.used.has(n));
  }
}
