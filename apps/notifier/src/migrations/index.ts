import { Baseline1763800000000 } from './1763800000000-baseline';
import { createDeliveriesMigration } from './1767225800000-deliveries';
import { createDeliveryTraceContextMigration } from './1767400000000-delivery-trace-context';
import { createSimulatedClockMigration } from './1767500000000-simulated-clock';
import { createDeliveryRecentContactsIndexMigration } from './1767600000000-delivery-recent-contacts-index';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export function notifierMigrations(schema: string) {
  return [Baseline1763800000000, createDeliveriesMigration(schema), createDeliveryTraceContextMigration(schema), createSimulatedClockMigration(schema), createDeliveryRecentContactsIndexMigration(schema)];
}

/** The default schema's migrations (kept for callers that list every service's migrations). */
export const migrations = notifierMigrations('notifier');
