import { createEventStoreMigration } from '@dunning/event-store';
import { createMessagingMigration } from '@dunning/messaging';
import { simulatedClockMigration } from '@dunning/platform';
import { Baseline1763800000000 } from './1763800000000-baseline';
import { ScoringTables1767300000000 } from './1767300000000-scoring-tables';
import { InvoiceWatchTraceContext1767300100000 } from './1767300100000-invoice-watch-trace-context';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export const migrations = [Baseline1763800000000, createMessagingMigration('scoring'), createEventStoreMigration('scoring'), ScoringTables1767300000000, InvoiceWatchTraceContext1767300100000, simulatedClockMigration('scoring', 1767300200000)];
