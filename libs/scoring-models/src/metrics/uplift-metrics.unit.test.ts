import { areaUnderCurve, perfectQiniCurve, qiniAucScore, qiniCurve, upliftAtK } from './uplift-metrics';

// Six rows, already in descending uplift order, with a tie at 0.7 (rows 1 and 2).
const outcomes = [1, 0, 1, 0, 1, 0];
const uplift = [0.9, 0.7, 0.7, 0.4, 0.2, 0.1];
const treatment = [1, 0, 1, 1, 0, 0];

describe('qiniCurve (sklift qini_curve)', () => {
  it('takes a point after each distinct uplift value: Y_T − Y_C·N_T/N_C', () => {
    // after row 0:    N_T=1 Y_T=1, N_C=0        → 1 (no control yet: ratio 0)
    // after rows 1,2: N_T=2 Y_T=2, N_C=1 Y_C=0  → 2
    // after row 3:    N_T=3 Y_T=2, N_C=1 Y_C=0  → 2
    // after row 4:    N_T=3 Y_T=2, N_C=2 Y_C=1  → 2 − 1·3/2 = 0.5
    // after row 5:    N_T=3 Y_T=2, N_C=3 Y_C=1  → 2 − 1·3/3 = 1
    const curve = qiniCurve(outcomes, uplift, treatment);
    expect(Array.from(curve.x)).toEqual([0, 1, 3, 4, 5, 6]);
    expect(Array.from(curve.y)).toEqual([0, 1, 2, 2, 0.5, 1]);
    // trapezoids: 0.5 + 3 + 2 + 1.25 + 0.75
    expect(areaUnderCurve(curve)).toBeCloseTo(7.5, 12);
  });

  it('is the same whatever the order of tied rows', () => {
    const curve = qiniCurve([outcomes[0]!, outcomes[2]!, outcomes[1]!, ...outcomes.slice(3)], uplift, [treatment[0]!, treatment[2]!, treatment[1]!, ...treatment.slice(3)]);
    expect(Array.from(curve.y)).toEqual([0, 1, 2, 2, 0.5, 1]);
  });
});

describe('perfectQiniCurve (sklift perfect_qini_curve, negative_effect=True)', () => {
  it('ranks treated responders first and control responders last', () => {
    // ideal scores y·t − y·(1−t) = [1, 0, 1, 0, −1, 0]:
    // score 1 (rows 0, 2):    N_T=2 Y_T=2, N_C=0       → 2 at x=2
    // score 0 (rows 1, 3, 5): N_T=3 Y_T=2, N_C=2 Y_C=0 → 2 at x=5
    // score −1 (row 4):       N_T=3 Y_T=2, N_C=3 Y_C=1 → 1 at x=6
    const curve = perfectQiniCurve(outcomes, treatment);
    expect(Array.from(curve.x)).toEqual([0, 2, 5, 6]);
    expect(Array.from(curve.y)).toEqual([0, 2, 2, 1]);
    expect(areaUnderCurve(curve)).toBeCloseTo(9.5, 12); // 2 + 6 + 1.5
  });
});

describe('qiniAucScore (sklift qini_auc_score)', () => {
  it('is the area above the random diagonal relative to the perfect curve', () => {
    // random: the diagonal to (6, 1), area 3; (7.5 − 3) / (9.5 − 3) = 4.5 / 6.5
    expect(qiniAucScore(outcomes, uplift, treatment)).toBeCloseTo(4.5 / 6.5, 12);
  });

  it('is 1 for the ideal ranking and 0 when the model cannot tell rows apart', () => {
    const ideal = outcomes.map((y, i) => y * (treatment[i] === 1 ? 1 : -1));
    expect(qiniAucScore(outcomes, ideal, treatment)).toBeCloseTo(1, 12);
    expect(qiniAucScore(outcomes, outcomes.map(() => 0.3), treatment)).toBeCloseTo(0, 12);
  });
});

describe('upliftAtK (sklift uplift_at_k, strategy "overall")', () => {
  const tenOutcomes = [1, 0, 1, 1, 0, 1, 0, 0, 0, 1];
  const tenUplift = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
  const tenTreatment = [1, 0, 1, 0, 1, 1, 0, 0, 1, 0];

  it('compares treated and control response among the top ⌊n·k⌋ rows', () => {
    // top 5: treated rows 0, 2, 4 → 2/3 responded; control rows 1, 3 → 1/2 responded
    expect(upliftAtK(tenOutcomes, tenUplift, tenTreatment, 0.5)).toBeCloseTo(2 / 3 - 1 / 2, 12);
    // top 3: treated rows 0, 2 → 1; control row 1 → 0
    expect(upliftAtK(tenOutcomes, tenUplift, tenTreatment, 0.3)).toBeCloseTo(1, 12);
  });

  it('does not depend on the order of the input rows', () => {
    const order = [9, 3, 0, 7, 5, 1, 8, 2, 6, 4];
    const pick = (values: number[]) => order.map((i) => values[i]!);
    expect(upliftAtK(pick(tenOutcomes), pick(tenUplift), pick(tenTreatment), 0.5)).toBeCloseTo(2 / 3 - 1 / 2, 12);
  });

  it("breaks ties as numpy's reversed stable argsort does: the later row first", () => {
    // Rows 0–2 tie; the top 2 are rows 2 (control, responded) and 1 (treated, did not) → 0 − 1.
    expect(upliftAtK([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.1], [1, 1, 0, 0], 0.5)).toBe(-1);
  });

  it('rejects k outside (0, 1) and non-binary treatment', () => {
    expect(() => upliftAtK([1, 0], [0.1, 0.2], [1, 0], 1)).toThrow(/k must be a fraction/);
    expect(() => upliftAtK([1, 0], [0.1, 0.2], [2, 0], 0.5)).toThrow(/treatment flag of row 0 is 2/);
  });
});
