/**
 * Classification figures of one model on labelled samples: accuracy, per-class accuracy and the
 * confusion matrix (rows: true class, columns: predicted class), and the samples on which two
 * models predict differently.
 */

export interface ClassRow {
  class: number;
  /** Test samples of this class. */
  samples: number;
  /** Of those, predicted as this class. */
  correct: number;
  /** correct / samples; null for a class without samples. */
  accuracy: number | null;
}

export interface Classification {
  samples: number;
  correct: number;
  /** correct / samples, in [0, 1]. */
  accuracy: number;
  perClass: ClassRow[];
  /** confusion[true][predicted]: sample counts. */
  confusion: number[][];
}

/** Figures of `predictions` against `labels` over classes 0..classes−1. */
export function classify(predictions: readonly number[], labels: readonly number[], classes: number): Classification {
  if (predictions.length !== labels.length)
    throw new RangeError(`${predictions.length} predictions for ${labels.length} labels`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  predictions.forEach((p, k) => {
    const y = labels[k]!;
    if (!(y >= 0 && y < classes && p >= 0 && p < classes))
      throw new RangeError(`sample ${k}: class ${y} or prediction ${p} outside 0..${classes - 1}`);
    confusion[y]![p]!++;
    if (p === y) correct++;
  });
  const perClass = confusion.map((row, c) => {
    const samples = row.reduce((a, b) => a + b, 0);
    return { class: c, samples, correct: row[c]!, accuracy: samples ? row[c]! / samples : null };
  });
  const samples = predictions.length;
  return { samples, correct, accuracy: samples ? correct / samples : 0, perClass, confusion };
}

/** Indices of the samples on which `a` and `b` predict different classes. */
export function predictionMismatches(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) if (a[k] !== b[k]) out.push(k);
  return out;
}
