/**
 * Errors are values: a code, a location (file, layer, parameter) and a message.
 * The CLI prints `toString()` as one line and maps `exitCode` to the process exit code.
 */
export type ErrorCode =
  | "E_IO" // file missing, unreadable, empty
  | "E_PARSE" // not JSON / not the expected container
  | "E_FORMAT" // structure does not follow the format contract
  | "E_UNSUPPORTED" // a construct snnc understands but cannot do (yet / on this target)
  | "E_WEIGHT" // missing, mis-shaped, truncated weights
  | "E_VALUE" // NaN, Inf, negative variance, out-of-range parameter
  | "E_SHAPE" // shapes that do not chain
  | "E_SCHEMA" // JSON schema violation
  | "E_FOLD" // a fold that would not be exact
  | "E_TARGET" // does not fit / not expressible on the target
  | "E_USAGE" // bad CLI usage
  | "E_WRITE"; // an output cannot be written (disk full, file size limit, permissions)

export interface ErrorLocation {
  file?: string;
  layer?: string;
  param?: string;
  /** The input sample (0-based, of those a command was given) that the error is about; not printed. */
  sample?: number;
}

export class SnncError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly layer?: string;
  readonly param?: string;
  readonly sample?: number;
  /** The bare problem, without the location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, loc: ErrorLocation = {}) {
    super(formatLocation(loc) + detail);
    this.name = "SnncError";
    this.code = code;
    this.detail = detail;
    this.file = loc.file;
    this.layer = loc.layer;
    this.param = loc.param;
    this.sample = loc.sample;
  }

  /** A copy of this error with missing location fields filled in. */
  withLocation(loc: ErrorLocation): SnncError {
    return new SnncError(this.code, this.detail, {
      file: this.file ?? loc.file,
      layer: this.layer ?? loc.layer,
      param: this.param ?? loc.param,
      sample: this.sample ?? loc.sample,
    });
  }

  /** Exit code for the CLI: 2 usage, 3 input, 4 target/fold refusal, 74 output not written. */
  get exitCode(): number {
    if (this.code === "E_USAGE") return 2;
    if (this.code === "E_WRITE") return 74;
    if (this.code === "E_TARGET" || this.code === "E_FOLD" || this.code === "E_UNSUPPORTED") return 4;
    return 3;
  }
}

function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.layer) parts.push(`layer '${loc.layer}'`);
  if (loc.param) parts.push(`parameter '${loc.param}'`);
  return parts.length ? `${parts.join(": ")}: ` : "";
}

export function isSnncError(e: unknown): e is SnncError {
  return e instanceof SnncError;
}
