/** Typed reading of a node's attributes; every error names the attribute. */
import { SnncError } from "../../ir/errors.ts";
import { oneOf } from "../../util/one-of.ts";
import { decodeTensor } from "./tensors.ts";
import type { RawAttr } from "./protobuf.ts";
import type { ConstVal } from "./values.ts";

const FLOAT = 1;
const INT = 2;
const STRING = 3;
const TENSOR = 4;
const FLOATS = 6;
const INTS = 7;

const TYPE_NAMES: Record<number, string> = {
  1: "float",
  2: "int",
  3: "string",
  4: "tensor",
  5: "graph",
  6: "floats",
  7: "ints",
  8: "strings",
};

export class Attrs {
  constructor(
    private readonly attrs: Map<string, RawAttr>,
    private readonly op: string,
  ) {}

  has(name: string): boolean {
    return this.attrs.has(name);
  }

  /** Refuse attributes the converter does not understand (they could change the meaning). */
  only(known: readonly string[]): void {
    for (const name of this.attrs.keys()) {
      if (!known.includes(name)) {
        throw new SnncError(
          "E_FORMAT",
          `${this.op} attribute '${name}' is not supported${known.length ? ` (understood: ${known.join(", ")})` : ""}`,
          { param: name },
        );
      }
    }
  }

  private get(name: string, types: number[], what: string): RawAttr | undefined {
    const a = this.attrs.get(name);
    if (a && !types.includes(a.type)) {
      throw new SnncError(
        "E_FORMAT",
        `attribute '${name}' is ${TYPE_NAMES[a.type] ?? `of type ${a.type}`}, expected ${what}`,
        { param: name },
      );
    }
    return a;
  }

  private missing(name: string, what: string): SnncError {
    return new SnncError("E_FORMAT", `${this.op} needs the ${what} attribute '${name}'`, { param: name });
  }

  int(name: string, dflt?: number): number {
    const a = this.get(name, [INT], "an int");
    if (a) return a.i;
    if (dflt === undefined) throw this.missing(name, "int");
    return dflt;
  }

  /** A float attribute (an int is accepted: exporters write `1` for 1.0). */
  float(name: string, dflt?: number): number {
    const a = this.get(name, [FLOAT, INT], "a float");
    if (a) {
      const v = a.type === FLOAT ? a.f : a.i;
      if (!Number.isFinite(v)) throw new SnncError("E_VALUE", `attribute '${name}' is ${v}`, { param: name });
      return v;
    }
    if (dflt === undefined) throw this.missing(name, "float");
    return dflt;
  }

  string(name: string, dflt?: string): string {
    const a = this.get(name, [STRING], "a string");
    if (a) return a.s;
    if (dflt === undefined) throw this.missing(name, "string");
    return dflt;
  }

  oneOf<T extends string>(name: string, options: readonly T[], dflt?: T): T {
    return oneOf(
      this.string(name, dflt),
      options,
      (v, quoted) =>
        new SnncError("E_FORMAT", `attribute '${name}' is "${v}" (expected ${quoted.join(" or ")})`, { param: name }),
    );
  }

  ints(name: string, dflt?: number[]): number[] {
    const a = this.get(name, [INTS], "a list of ints");
    if (a) return [...a.ints];
    if (dflt === undefined) throw this.missing(name, "ints");
    return [...dflt];
  }

  floats(name: string, dflt?: number[]): number[] {
    const a = this.get(name, [FLOATS, INTS], "a list of floats");
    if (a) {
      const v = a.type === FLOATS ? [...a.floats] : [...a.ints];
      const bad = v.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw new SnncError("E_VALUE", `attribute '${name}' holds ${v[bad]} at index ${bad}`, { param: name });
      return v;
    }
    if (dflt === undefined) throw this.missing(name, "floats");
    return dflt;
  }

  tensor(name: string, baseDir: string): ConstVal | undefined {
    const a = this.get(name, [TENSOR], "a tensor");
    return a?.t ? decodeTensor(a.t, baseDir, `attribute '${name}'`) : undefined;
  }

  /** A 2-element spatial list ([h, w]); `dflt` when absent. */
  pair(name: string, dflt: [number, number], min = 1): [number, number] {
    const v = this.ints(name, dflt);
    if (v.length !== 2 || !v.every((x) => Number.isInteger(x) && x >= min)) {
      throw new SnncError(
        "E_FORMAT",
        `attribute '${name}' is [${v.join(",")}], expected 2 integers >= ${min} (2-D operators only)`,
        { param: name },
      );
    }
    return [v[0]!, v[1]!];
  }
}
