/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
/**
 * Metrics for uplift (treatment-effect) models on randomized data, following scikit-uplift
 * (`sklift.metrics`): `outcomes` are 0/1 responses, `treatment` is 1 for treated rows and 0 for
 * control rows, `uplift` is the model's predicted treatment effect.
 */

export interface Curve {
  /** Number of rows targeted (x axis). */
  readonly x: Float64Array;
  readonly y: Float64Array;
}

function assertUpliftInputs(outcomes: ArrayLike<number>, uplift: ArrayLike<number>, treatment: ArrayLike<number>): void {
  if (outcomes.length !== uplift.length || outcomes.length !== treatment.length) {
    throw new Error(`inconsistent lengths: ${outcomes.length} outcomes, ${uplift.length} uplift scores, ${treatment.length} treatment flags`);
  }
  if (outcomes.length === 0) throw new Error('no rows to score');
  for (let i = 0; i < outcomes.length; i++) {
    if (treatment[i] !== 0 && treatment[i] !== 1) throw new Error(`treatment flag of row ${i} is ${treatment[i]}, expected 0 or 1`);
    if (outcomes[i] !== 0 && outcomes[i] !== 1) throw new Error(`outcome of row ${i} is ${outcomes[i]}, expected 0 or 1`);
  }
}

/**
 * Row indices by descending uplift. Ties are ordered as numpy's
 * `argsort(uplift, kind="mergesort")[::-1]` orders them: the later row first.
 */
function descendingOrder(uplift: ArrayLike<number>): number[] {
  const order = Array.from({ length: uplift.length }, (_, i) => i);
  order.sort((a, b) => uplift[b]! - uplift[a]! || b - a);
  return order;
}

/**
 * Among the first ⌊n·k⌋ rows by predicted uplift (treated and control together), the response
 * rate of treated rows minus that of control rows — sklift's `uplift_at_k(strategy="overall")`.
 * NaN when the top rows hold no treated or no control row.
 */
export function upliftAtK(outcomes: ArrayLike<number>, uplift: ArrayLike<number>, treatment: ArrayLike<number>, k: number): number {
  assertUpliftInputs(outcomes, uplift, treatment);
  if (!(k > 0 && k < 1)) throw new Error(`k must be a fraction in (0, 1), got ${k}`);
  const order = descendingOrder(uplift);
  const size = Math.floor(outcomes.length * k);
  let treated = 0;
  let treatedResponses = 0;
  let control = 0;
  let controlResponses = 0;
  for (let rank = 0; rank < size; rank++) {
    const i = order[rank]!;
    if (treatment[i] === 1) {
      treated++;
      treatedResponses += outcomes[i]!;
    } else {
      control++;
      controlResponses += outcomes[i]!;
    }
  }
  return treatedResponses / treated - controlResponses / control;
}

/**
 * The Qini curve: for the top x rows by predicted uplift, treated responses minus control
 * responses scaled to the treated count, Y_T − Y_C · N_T / N_C. Points are taken at each distinct
 * uplift value (so ties move together), and the curve starts at (0, 0) — sklift's `qini_curve`.
 */
export function qiniCurve(outcomes: ArrayLike<number>, uplift: ArrayLike<number>, treatment: ArrayLike<number>): Curve {
  assertUpliftInputs(outcomes, uplift, treatment);
  const order = descendingOrder(uplift);
  const x: number[] = [0];
  const y: number[] = [0];
  let treated = 0;
  let treatedResponses = 0;
  let controlResponses = 0;
  for (let rank = 0; rank < order.length; rank++) {
    const i = order[rank]!;
    if (treatment[i] === 1) {
      treated++;
      treatedResponses += outcomes[i]!;
    } else {
      controlResponses += outcomes[i]!;
    }
    const next = order[rank + 1];
    const lastOfItsValue = next === undefined || uplift[next] !== uplift[i];
    if (lastOfItsValue) {
      const all = rank + 1;
      const control = all - treated;
      x.push(all);
      y.push(treatedResponses - (control !== 0 ? (controlResponses * treated) / control : 0));
    }
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y) };
}

/**
 * The best achievable Qini curve: treated responders first, control responders last
 * (sklift's `perfect_qini_curve` with `negative_effect=True`).
 */
export function perfectQiniCurve(outcomes: ArrayLike<number>, treatment: ArrayLike<number>): Curve {
  const idealUplift = Float64Array.from({ length: outcomes.length }, (_, i) => outcomes[i]! * (treatment[i] === 1 ? 1 : -1));
  return qiniCurve(outcomes, idealUplift, treatment);
}

/** Trapezoidal area under a curve with increasing x. */
export function areaUnderCurve(curve: Curve): number {
  let area = 0;
  for (let i = 1; i < curve.x.length; i++) {
    area += ((curve.x[i]! - curve.x[i - 1]!) * (curve.y[i]! + curve.y[i - 1]!)) / 2;
  }
  return area;
}

/**
 * Normalized Qini coefficient, sklift's `qini_auc_score` (negative_effect=True): the area between
 * the model's Qini curve and the random-targeting diagonal, divided by the same area for the
 * perfect curve. 1 is a perfect ranking, 0 is no better than random.
 */
export function qiniAucScore(outcomes: ArrayLike<number>, uplift: ArrayLike<number>, treatment: ArrayLike<number>): number {
  const actual = qiniCurve(outcomes, uplift, treatment);
  const perfect = perfectQiniCurve(outcomes, treatment);
  const lastX = perfect.x[perfect.x.length - 1]!;
  const lastY = perfect.y[perfect.y.length - 1]!;
  const randomArea = (lastX * lastY) / 2;
  return (areaUnderCurve(actual) - randomArea) / (areaUnderCurve(perfect) - randomArea);
}
