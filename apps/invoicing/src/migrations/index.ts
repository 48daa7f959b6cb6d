import { Baseline1763800000000 } from './1763800000000-baseline';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export const migrations = [Baseline1763800000000];
