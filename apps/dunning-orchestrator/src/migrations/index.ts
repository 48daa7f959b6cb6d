import { createEventStoreMigration } from '@dunning/event-store';
import { createMessagingMigration } from '@dunning/messaging';
import { Baseline1763800000000 } from './1763800000000-baseline';
import { OrchestratorTables1767225700000 } from './1767225700000-orchestrator-tables';
import { TimerTraceContext1767225800000 } from './1767225800000-timer-trace-context';

/** Every schema change of this service, in order. TypeORM runs the pending ones at start. */
export const migrations = [Baseline1763800000000, createMessagingMigration('messaging'), createEventStoreMigration('orchestrator'), OrchestratorTables1767225700000, TimerTraceContext1767225800000];
