/**
 * What an operator converter sees: its node, typed attributes, its inputs as constants or
 * activations, and `emit` to add IR nodes. Every error it raises names the node (graph.ts adds it).
 */
import { SnncError, type ErrorCode } from "../../ir/errors.ts";
import type { IRNode } from "../../ir/nodes.ts";
import { firstNonFinite } from "../../ir/tensor.ts";
import { Attrs } from "./attributes.ts";
import type { RawNode } from "./protobuf.ts";
import { dimsStr, type ActVal, type ConstVal, type Value } from "./values.ts";

/** Conversion state shared by all nodes of one graph. */
export interface Env {
  /** The model's folder (external data, tensor attributes). */
  baseDir: string;
  /** ONNX tensor name → value. */
  values: Map<string, Value>;
  /** IR nodes emitted so far, in order. */
  nodes: IRNode[];
  ids: Set<string>;
}

/** An IR node before the converter context gives it an id and provenance. */
export type NodeBody = IRNode extends infer N ? (N extends IRNode ? Omit<N, "id" | "origin"> : never) : never;

export type Converter = (c: NodeCtx) => Value | Value[];

export class NodeCtx {
  readonly attrs: Attrs;

  constructor(
    readonly node: RawNode,
    readonly env: Env,
    /** IR id for the first node this converter emits. */
    readonly baseId: string,
  ) {
    this.attrs = new Attrs(node.attrs, node.opType);
  }

  get op(): string {
    return this.node.opType;
  }

  fail(code: ErrorCode, msg: string, param?: string): never {
    throw new SnncError(code, msg, { param });
  }

  /** Number of inputs given (trailing empty names do not count). */
  get inputCount(): number {
    let n = this.node.inputs.length;
    while (n > 0 && this.node.inputs[n - 1] === "") n--;
    return n;
  }

  arity(min: number, max = min): void {
    const n = this.inputCount;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      this.fail("E_FORMAT", `${this.op} takes ${want} inputs, got ${n}`);
    }
  }

  /** The value of input i, or undefined when the input is absent (empty name or beyond the list). */
  value(i: number): Value | undefined {
    const name = this.node.inputs[i];
    if (name === undefined || name === "") return undefined;
    return this.env.values.get(name)!;
  }

  act(i: number, what = `input ${i}`): ActVal {
    const v = this.value(i);
    if (!v) this.fail("E_FORMAT", `${this.op} ${what} is missing`);
    if (v.kind !== "act") {
      this.fail("E_FORMAT", `${this.op} ${what} ('${this.node.inputs[i]}') must be computed from the network input`);
    }
    return v;
  }

  optConstant(i: number, what = `input ${i}`): ConstVal | undefined {
    const v = this.value(i);
    if (!v) return undefined;
    if (v.kind !== "const") {
      this.fail(
        "E_FORMAT",
        `${this.op} ${what} ('${this.node.inputs[i]}') must be a constant (an initializer or Constant), not an activation`,
        what,
      );
    }
    return v;
  }

  constant(i: number, what = `input ${i}`): ConstVal {
    const v = this.optConstant(i, what);
    if (!v) this.fail("E_WEIGHT", `${this.op} ${what} is missing`, what);
    return v;
  }

  /** A float constant used as a parameter: finite, with the expected dims when given. */
  param(i: number, what: string, dims?: readonly number[]): ConstVal {
    return this.checkParam(this.constant(i, what), what, dims);
  }

  optParam(i: number, what: string, dims?: readonly number[]): ConstVal | undefined {
    const v = this.optConstant(i, what);
    return v ? this.checkParam(v, what, dims) : undefined;
  }

  private checkParam(v: ConstVal, what: string, dims?: readonly number[]): ConstVal {
    if (v.dtype !== "float") this.fail("E_WEIGHT", `${what} '${v.name}' has an integer type, expected float`, what);
    const bad = firstNonFinite({ shape: v.dims, data: v.data });
    if (bad >= 0) {
      this.fail(
        "E_VALUE",
        `${what} '${v.name}' holds ${v.data[bad]} at index ${bad} (parameters must be finite)`,
        what,
      );
    }
    if (dims && !(dims.length === v.dims.length && dims.every((d, k) => d === v.dims[k]))) {
      this.fail("E_WEIGHT", `${what} '${v.name}' has shape ${dimsStr(v.dims)}, expected ${dimsStr(dims)}`, what);
    }
    return v;
  }

  /**
   * Add an IR node; returns the activation it computes. Its id is the node's base id, plus
   * `suffix` for an extra node (e.g. the zero pad before a pool).
   */
  emit(body: NodeBody, dims: number[], extra: { perm?: Int32Array; nonNeg?: boolean; suffix?: string } = {}): ActVal {
    const id = this.freshId(`${this.baseId}${extra.suffix ?? ""}`);
    const node = { ...body, id, origin: [`onnx:${this.op} '${this.node.name || `#${this.node.index}`}'`] } as IRNode;
    this.env.nodes.push(node);
    this.env.ids.add(id);
    const out: ActVal = { kind: "act", id, dims, nonNeg: extra.nonNeg ?? false };
    if (extra.perm) out.perm = extra.perm;
    return out;
  }

  private freshId(base: string): string {
    if (!this.env.ids.has(base)) return base;
    for (let k = 2; ; k++) if (!this.env.ids.has(`${base}_${k}`)) return `${base}_${k}`;
  }
}
