/** Precision, recall and their harmonic mean. Each is null when its denominator is 0: "no data" is not "0%". */
export interface PrecisionRecall {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/**
 * Scores a class (an intent, a task type) from its counts.
 *
 * @example
 * precisionRecall({ correct: 8, predicted: 10, expected: 9 }); // { precision: 0.8, recall: 0.888…, f1: 0.842… }
 */
export function precisionRecall({ correct, predicted, expected }: { correct: number; predicted: number; expected: number }): PrecisionRecall {
  const precision = predicted === 0 ? null : correct / predicted;
  const recall = expected === 0 ? null : correct / expected;
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
