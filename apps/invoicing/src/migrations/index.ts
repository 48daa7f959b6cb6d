import { createEventStoreMigration } from '@dunning/event-store';
import { createMessagingMigration } from '@dunning/messaging';
import { simulatedClockMigration } from '@dunning/platform';
import { Baseline1763800000000 } from './1763800000000-baseline';
import { createReadModelsMigration } from './1767225700000-read-models';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export function invoicingMigrations(schema: string) {
  return [Baseline1763800000000, createMessagingMigration(schema), createEventStoreMigration(schema), createReadModelsMigration(schema), simulatedClockMigration(schema, 1767226000000)];
}
