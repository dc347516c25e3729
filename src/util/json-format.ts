/**
 * Deterministic, readable JSON for the output files: objects indented one key per line, arrays of
 * numbers / strings / booleans on one line (weight tables stay compact), keys in insertion order.
 */
export function formatJson(value: unknown, indent = "  "): string {
  return `${fmt(value, "", indent)}\n`;
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== "object";
}

function fmt(v: unknown, pad: string, indent: string): string {
  if (v === undefined) return "null";
  if (isPrimitive(v)) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new RangeError(`formatJson: ${v} is not JSON`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    if (v.every(isPrimitive)) return `[${v.map((x) => fmt(x, pad, indent)).join(", ")}]`;
    const inner = pad + indent;
    return `[\n${v.map((x) => inner + fmt(x, inner, indent)).join(",\n")}\n${pad}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return "{}";
  const inner = pad + indent;
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${fmt(x, inner, indent)}`).join(",\n")}\n${pad}}`;
}
