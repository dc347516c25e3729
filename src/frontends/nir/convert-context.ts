/** What a NIR node converter sees, and what it returns: the value its output is in the IR graph. */
import { SnncError } from "../../ir/errors.ts";
import type { IRNode } from "../../ir/nodes.ts";
import type { Discretisation } from "./discretise.ts";
import type { FlatNode } from "./flatten-graph.ts";
import type { Value } from "./layout.ts";

export interface ConvertCtx {
  node: FlatNode;
  /** The node's input: the sum of its incoming edges (nodes other than Input have exactly one). */
  input: Value;
  d: Discretisation;
  /**
   * The file was written by snnc with the dt and method of this read: a node's exact discrete
   * parameters in its metadata (`snnc_decay`, `snnc_gain`, …) may stand for the computed ones.
   */
  exact: boolean;
  /** Adds an IR node (in evaluation order). */
  emit(n: IRNode): void;
  /** A node id not used yet, based on `base`. */
  fresh(base: string): string;
}

export type Converter = (c: ConvertCtx) => Value;

export const origin = (c: ConvertCtx, extra?: string): string[] => [
  `nir:${c.node.type} '${c.node.name}'${extra ? ` (${extra})` : ""}`,
];

/** The input must be a flat vector (Affine, Linear). */
export function flatInput(c: ConvertCtx): number {
  if (c.input.nir.length !== 1)
    throw new SnncError(
      "E_SHAPE",
      `${c.node.type} reads a value of shape [${c.input.nir.join(",")}]; it takes a vector (a Flatten is missing)`,
      { layer: c.node.name },
    );
  return c.input.nir[0]!;
}
