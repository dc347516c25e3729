/**
 * Typed readers for Keras layer `config` values. Every failure is an SnncError naming the
 * config key as its parameter; the caller adds the layer and the file.
 */
import { SnncError } from "../../ir/errors.ts";
import { oneOf } from "../../util/one-of.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function bad(param: string, detail: string, code: "E_FORMAT" | "E_VALUE" = "E_FORMAT"): SnncError {
  return new SnncError(code, detail, { param });
}

/** A view on one layer's config with readers that know the key they read. */
export class Config {
  /** `prefix` names a nested config in messages and parameters (e.g. "mpbn."). */
  constructor(
    readonly raw: JsonObject,
    private readonly prefix = "",
  ) {}

  private k(key: string): string {
    return this.prefix + key;
  }

  /** The default of a key that is not there; without a default, the key is missing. */
  private absent<T>(key: string, dflt: T | undefined): T {
    if (dflt !== undefined) return dflt;
    throw bad(this.k(key), `config '${this.k(key)}' is missing`);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  number(key: string, dflt?: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return this.absent(key, dflt);
    if (typeof v !== "number") throw bad(this.k(key), `config '${this.k(key)}' must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw bad(this.k(key), `config '${this.k(key)}' must be finite, got ${v}`, "E_VALUE");
    return v;
  }

  int(key: string, dflt?: number, min = 1): number {
    const v = this.number(key, dflt);
    if (!Number.isInteger(v) || v < min)
      throw bad(this.k(key), `config '${this.k(key)}' must be an integer >= ${min}, got ${v}`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "boolean")
      throw bad(this.k(key), `config '${this.k(key)}' must be true or false, got ${describe(v)}`);
    return v;
  }

  string(key: string, dflt?: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) return this.absent(key, dflt);
    if (typeof v !== "string") throw bad(this.k(key), `config '${this.k(key)}' must be a string, got ${describe(v)}`);
    return v;
  }

  /** A string from a closed set; anything else is an unsupported attribute value. */
  oneOf<T extends string>(key: string, allowed: readonly T[], dflt?: T): T {
    const k = this.k(key);
    return oneOf(
      this.string(key, dflt),
      allowed,
      (v, quoted) =>
        new SnncError("E_UNSUPPORTED", `${k} "${v}" is not supported (supported: ${quoted.join(", ")})`, { param: k }),
    );
  }

  /** An int or a pair of ints (Keras `kernel_size`, `strides`, ...). */
  pair(key: string, dflt?: [number, number], min = 1): [number, number] {
    const v = this.raw[key];
    if (v === undefined || v === null) return this.absent(key, dflt);
    const arr = typeof v === "number" ? [v, v] : v;
    if (
      !Array.isArray(arr) ||
      arr.length !== 2 ||
      !arr.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min)
    ) {
      throw bad(
        this.k(key),
        `config '${this.k(key)}' must be an integer >= ${min} or a pair of them, got ${describe(v)}`,
      );
    }
    return [arr[0] as number, arr[1] as number];
  }

  numberList(key: string): number[] {
    const v = this.raw[key];
    if (v === undefined || v === null) throw bad(this.k(key), `config '${this.k(key)}' is missing`);
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) {
      throw bad(this.k(key), `config '${this.k(key)}' must be a list of numbers, got ${describe(v)}`);
    }
    const nums = v as number[];
    const i = nums.findIndex((x) => !Number.isFinite(x));
    if (i >= 0)
      throw bad(
        this.k(key),
        `config '${this.k(key)}' must hold finite numbers, got ${nums[i]} at index ${i}`,
        "E_VALUE",
      );
    return nums;
  }

  object(key: string): JsonObject | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) throw bad(this.k(key), `config '${this.k(key)}' must be an object, got ${describe(v)}`);
    return v;
  }

  /** Keras `data_format`: only channels_last (NHWC) is supported. */
  channelsLast(): void {
    this.oneOf("data_format", ["channels_last"], "channels_last");
  }

  /** Keras `activation`: the IR has no pointwise non-linearity besides neurons. */
  linearActivation(): void {
    const v = this.raw.activation;
    if (v === undefined || v === null || v === "linear") return;
    throw new SnncError(
      "E_UNSUPPORTED",
      `activation ${describe(v)} is not supported (only "linear": spiking layers provide the non-linearity)`,
      { param: "activation" },
    );
  }
}
