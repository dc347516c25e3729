/**
 * What a layer converter sees: its config, its resolved inputs and its weights (checked for
 * presence and finiteness), plus a hook for checks that need the inferred shapes.
 */
import { SnncError } from "../../ir/errors.ts";
import type { IRNode } from "../../ir/nodes.ts";
import { shapeStr, type Tensor } from "../../ir/tensor.ts";
import type { Config } from "./config.ts";
import type { LayerSpec } from "./topology.ts";
import type { WeightIndex } from "./weight-names.ts";

/** A converted layer: one IR node, or an alias for a layer that is the identity at inference. */
export type Converted = IRNode | { alias: string };

export type ShapeCheck = (shapeOf: (id: string) => number[]) => void;

export class LayerCtx {
  readonly deferred: ShapeCheck[] = [];

  constructor(
    readonly spec: LayerSpec,
    readonly cfg: Config,
    /** IR ids of the layer's inputs. */
    readonly inputs: string[],
    /** The model carries a time axis after the batch axis (see topology.ts). */
    readonly timeAxis: boolean,
    private readonly weights: WeightIndex,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The layer was wrapped in TimeDistributed (it sees one step, no time axis). */
  get wrapped(): boolean {
    return this.spec.innerName !== undefined;
  }

  optionalWeight(w: string): Tensor | undefined {
    const s = this.weights.find(this.spec.name, w, this.spec.innerName);
    if (!s) return undefined;
    for (let i = 0; i < s.data.length; i++) {
      const v = s.data[i]!;
      if (!Number.isFinite(v)) {
        throw new SnncError("E_VALUE", `weight '${s.name}' holds ${v} at index ${i} (weights must be finite)`, {
          param: w,
        });
      }
    }
    return { shape: [...s.shape], data: s.data };
  }

  weight(w: string): Tensor {
    const t = this.optionalWeight(w);
    if (!t)
      throw new SnncError("E_WEIGHT", `weight '${this.spec.name}/${w}' is missing from the weightsManifest`, {
        param: w,
      });
    return t;
  }

  /** A weight whose shape must match `want` (null = any size on that axis). */
  shapedWeight(w: string, want: (number | null)[], why = ""): Tensor {
    const t = this.weight(w);
    expectShape(t, w, want, why, `${this.spec.name}/${w}`);
    return t;
  }

  after(check: ShapeCheck): void {
    this.deferred.push(check);
  }
}

function expectShape(t: Tensor, param: string, want: (number | null)[], why = "", label = param): void {
  const ok = t.shape.length === want.length && want.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    const w = `[${want.map((d) => (d === null ? "?" : String(d))).join(",")}]`;
    throw new SnncError(
      "E_WEIGHT",
      `weight '${label}' has shape ${shapeStr(t.shape)}, expected ${w}${why ? ` (${why})` : ""}`,
      { param },
    );
  }
}
