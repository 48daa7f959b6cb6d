import { createEventStoreMigration } from '@dunning/event-store';
import { createMessagingMigration } from '@dunning/messaging';
import { Baseline1763800000000 } from './1763800000000-baseline';
import { createCollectionTablesMigration } from './1767225800000-collection-tables';
import { createCaseTraceContextMigration } from './1767225900000-case-trace-context';
import { createSimulatedClockMigration } from './1767226000000-simulated-clock';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export function collectionMigrations(schema: string) {
  return [Baseline1763800000000, createMessagingMigration(schema), createEventStoreMigration(schema), createCollectionTablesMigration(schema), createCaseTraceContextMigration(schema), createSimulatedClockMigration(schema)];
}
