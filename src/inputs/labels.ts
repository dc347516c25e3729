/**
 * Class labels of an input set (`snnc simulate --labels <file>`), one non-negative integer per
 * sample in the order of the samples: a `.json` array (or `{"labels": [...]}`), or a text file
 * with the integers separated by white space or commas (one per line, as `np.savetxt` writes).
 */
import { readFileSync, statSync } from "node:fs";
import { SnncError } from "../ir/errors.ts";
import { checkFileBytes, LIMITS } from "../ir/limits.ts";

export function readLabels(path: string, samples: number): number[] {
  let text: string;
  try {
    checkFileBytes(statSync(path).size, "the labels file", LIMITS.jsonBytes);
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file: path });
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError("E_IO", code === "ENOENT" ? "no such file" : `cannot read labels (${code})`, { file: path });
  }
  const labels = path.toLowerCase().endsWith(".json") ? fromJson(text, path) : fromText(text);
  labels.forEach((v, k) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      throw new SnncError("E_VALUE", `label ${k} is ${JSON.stringify(v)}, not a class index (integer >= 0)`, {
        file: path,
      });
  });
  if (labels.length !== samples)
    throw new SnncError("E_SHAPE", `${labels.length} labels for ${samples} input samples`, { file: path });
  return labels as number[];
}

function fromJson(text: string, file: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SnncError("E_PARSE", `labels are not valid JSON (${(e as Error).message})`, { file });
  }
  const list =
    typeof doc === "object" && doc !== null && !Array.isArray(doc) ? (doc as { labels?: unknown }).labels : doc;
  if (!Array.isArray(list)) throw new SnncError("E_FORMAT", 'expected a list of labels or {"labels": [...]}', { file });
  return list;
}

function fromText(text: string): unknown[] {
  return text
    .split(/[\s,]+/)
    .filter((t) => t !== "")
    .map((t) => (/^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(t) ? Number(t) : t));
}
