import { SeededRandom } from '../random/seeded-random';

export interface CrossValidationResult {
  readonly mean: number;
  readonly folds: readonly number[];
}

/** Each row's fold, 0..folds−1, in a seeded random order with fold sizes differing by at most one. */
export function kFoldAssignments(rowCount: number, folds: number, seed: number): Uint8Array {
  if (!Number.isInteger(folds) || folds < 2 || folds > 255) throw new Error(`folds must be an integer in [2, 255], got ${folds}`);
  const order = new SeededRandom(seed).shuffle(Uint32Array.from({ length: rowCount }, (_, i) => i));
  const assignment = new Uint8Array(rowCount);
  order.forEach((row, position) => (assignment[row] = position % folds));
  return assignment;
}

/**
 * k-fold cross-validation over training rows only: `scoreFold` trains on the other folds and
 * scores one; the test rows are never touched, so choosing a configuration here does not peek.
 */
export function crossValidate(
  rowCount: number,
  folds: number,
  seed: number,
  scoreFold: (trainingRows: Uint32Array, validationRows: Uint32Array) => number,
): CrossValidationResult {
  const assignment = kFoldAssignments(rowCount, folds, seed);
  const scores: number[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const training: number[] = [];
    const validation: number[] = [];
    assignment.forEach((rowFold, row) => (rowFold === fold ? validation : training).push(row));
    scores.push(scoreFold(Uint32Array.from(training), Uint32Array.from(validation)));
  }
  return { mean: scores.reduce((sum, score) => sum + score, 0) / folds, folds: scores };
}
