/**
 * The state of one IR → NIR emission: the NIR nodes and edges written so far, and for every IR
 * node what stands for its value in NIR (the NIR nodes whose outputs sum to it, its NIR shape, and
 * how its IR elements map to NIR's channels-first order).
 */
import { SnncError } from "../ir/errors.ts";
import type { IRNode } from "../ir/nodes.ts";
import { broadcastTo, size, type Tensor } from "../ir/tensor.ts";
import type { H5Tree, H5Value } from "./hdf5-write.ts";

export type DtMethod = "euler" | "exp";

/** Where an IR value is in NIR. */
export interface Source {
  /** NIR nodes whose outputs, summed, are the value (several for an IR add). */
  names: string[];
  /** NIR shape: [N], [C, H, W]. */
  nir: number[];
  /** NIR flat index of each IR element (row-major IR order). */
  index: Int32Array;
  /** A zero padding [top, bottom, left, right] still to be applied by the consumer (an IR pad). */
  pad?: [number, number, number, number];
}

export class Emission {
  readonly nodes: H5Tree = {};
  readonly edges: [string, string][] = [];
  readonly sources = new Map<string, Source>();
  private readonly names = new Set<string>();
  private readonly nameOf = new Map<string, string>();

  constructor(
    readonly dt: number,
    readonly method: DtMethod,
    readonly file?: string,
  ) {}

  /** The NIR name of IR node `id` (stable: the same id always gets the same name). */
  name(id: string): string {
    let n = this.nameOf.get(id);
    if (n) return n;
    // an HDF5 link name: no "/" or NUL, not "." or ".."; and a key the node table keeps ("__proto__" is not)
    const raw = id.replace(/[/\0]/g, "_") || "node";
    const base = raw === "." || raw === ".." || raw === "__proto__" ? `_${raw}` : raw;
    n = base;
    for (let i = 1; this.names.has(n); i++) n = `${base}_${i}`;
    this.names.add(n);
    this.nameOf.set(id, n);
    return n;
  }

  /** Adds NIR node `name` fed by `from` (edges from every NIR node of the source). */
  add(name: string, node: H5Tree, from?: Source): void {
    this.nodes[name] = node;
    if (from) for (const f of from.names) this.edges.push([f, name]);
  }

  source(id: string): Source {
    const s = this.sources.get(id);
    if (!s) throw new Error(`NIR emission: '${id}' has no source yet`);
    return s;
  }

  refuse(n: IRNode, why: string, param?: string): SnncError {
    return new SnncError("E_TARGET", `cannot be written as NIR: ${why}`, { file: this.file, layer: n.id, param });
  }
}

/** The NIR shape of an IR shape: [H, W, C] → [C, H, W], [N] → [N]. */
export function nirShape(ir: readonly number[]): number[] {
  if (ir.length === 1) return [ir[0]!];
  if (ir.length === 3) return [ir[2]!, ir[0]!, ir[1]!];
  throw new RangeError(`no NIR shape for [${ir.join(",")}]`);
}

/** The identity index of a value in the canonical layout of its IR shape. */
export function canonicalIndex(ir: readonly number[]): Int32Array {
  const n = size(ir);
  const idx = new Int32Array(n);
  if (ir.length !== 3) {
    for (let j = 0; j < n; j++) idx[j] = j;
    return idx;
  }
  const C = ir[2]!;
  const S = n / C;
  for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) idx[s * C + c] = c * S + s;
  return idx;
}

export function sameIndex(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A per-element IR parameter as a full NIR-ordered array of the value's NIR shape. */
export function nirParam(t: Tensor, irShape: readonly number[], src: Pick<Source, "index" | "nir">): H5Value {
  const full = broadcastTo(t, irShape);
  const out = new Float64Array(full.length);
  for (let j = 0; j < full.length; j++) out[src.index[j]!] = full[j]!;
  return { kind: "f64", shape: [...src.nir], data: out };
}

/** Values (IR order) → NIR order. */
export function nirOrder(full: Float64Array, src: Pick<Source, "index" | "nir">): H5Value {
  const out = new Float64Array(full.length);
  for (let j = 0; j < full.length; j++) out[src.index[j]!] = full[j]!;
  return { kind: "f64", shape: [...src.nir], data: out };
}
