/** A monotonic clock in milliseconds (performance.now in production); injected so the domain code reads no clock. */
export type MillisecondClock = () => number;

export interface TargetCheck {
  readonly description: string;
  readonly metric: string;
  readonly model: string;
  readonly required: number;
  readonly achieved: number;
  readonly met: boolean;
}

export interface CandidateScore {
  readonly candidate: string;
  readonly description: string;
  readonly meanScore: number;
  readonly foldScores: readonly number[];
}

export function checkTarget(description: string, metric: string, model: string, required: number, achieved: number): TargetCheck {
  return { description, metric, model, required, achieved, met: achieved >= required };
}

/** Runs `work` and reports how long it took by the injected clock. */
export function timed<T>(clock: MillisecondClock, work: () => T): { result: T; milliseconds: number } {
  const started = clock();
  const result = work();
  return { result, milliseconds: clock() - started };
}
