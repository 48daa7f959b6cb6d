import { crossValidate, kFoldAssignments } from './model-selection';

describe('kFoldAssignments', () => {
  it('spreads rows over folds evenly and reproducibly', () => {
    const folds = kFoldAssignments(103, 5, 9);
    const sizes = [0, 1, 2, 3, 4].map((fold) => folds.filter((f) => f === fold).length);
    expect(sizes.sort()).toEqual([20, 20, 21, 21, 21]);
    expect(Array.from(kFoldAssignments(103, 5, 9))).toEqual(Array.from(folds));
    expect(Array.from(kFoldAssignments(103, 5, 10))).not.toEqual(Array.from(folds));
  });
});

describe('crossValidate', () => {
  it('validates each row exactly once and never trains on it in the same fold', () => {
    const validatedCount = new Uint8Array(50);
    const result = crossValidate(50, 4, 1, (training, validation) => {
      const trainingSet = new Set(training);
      validation.forEach((row) => {
        validatedCount[row] = validatedCount[row]! + 1;
        expect(trainingSet.has(row)).toBe(false);
      });
      expect(training.length + validation.length).toBe(50);
      return validation.length;
    });
    expect(Array.from(validatedCount).every((count) => count === 1)).toBe(true);
    expect(result.folds.reduce((sum, n) => sum + n, 0)).toBe(50);
    expect(result.mean).toBeCloseTo(12.5, 12);
  });
});
