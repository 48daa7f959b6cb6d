import { simulatedClockMigration } from '@dunning/platform';

/**
 * `<schema>.simulated_clock`: the simulated clock's instant (DUNNING_CLOCK=simulated), kept in the
 * notifier's own database so that a restart, even a kill -9, never sends the simulation back in time.
 */
export const createSimulatedClockMigration = (schema: string) => simulatedClockMigration(schema, 1767500000000);
