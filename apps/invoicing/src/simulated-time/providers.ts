import type { Provider } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ConsumerLagProbe, MessagingRuntime } from '@dunning/messaging';
import { createSimulatedTimeController, DeferredClock, SIMULATION_CONTROL, SimulationControl } from '@dunning/platform';
import type { Pool } from 'pg';
import { RequireScope } from '../auth/require-scope';
import { RelayWakeUp } from '../background-work';
import { CheckDeadlines } from '../checking-deadlines/handler';
import type { Clock } from '../clock';
import type { InvoicingConfig } from '../config';
import { PG_POOL } from '../tokens';

/**
 * GET/PUT /admin/clock and GET /admin/quiescence (docs/simulated-time.md), with the operator key
 * (`admin` scope) like the other operator routes.
 */
export const InvoicingSimulatedTimeController = createSimulatedTimeController({ decorators: [RequireScope('admin'), ApiTags('simulated time')] });

const LAG_PROBE = Symbol('INVOICING_LAG_PROBE');

/**
 * A quiescence round starts its probes together (in one tick): the first call starts `read` and
 * the others of that tick share its answer, so two probes cost one statement; a later round reads anew.
 */
function oncePerRound<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    if (!current) {
      current = read();
      process.nextTick(() => (current = undefined));
    }
    return current;
  };
}

/**
 * The clock behind `clock` (a DeferredClock in simulated mode: it is loaded from
 * `<schema>.simulated_clock` once the migrations ran), the deadline sweep a clock move runs, and
 * what quiescence counts: consumer lag, unpublished outbox rows, accounts whose deadline is due.
 * A clock given by a test (`override`) makes the mode `system` with that clock.
 */
export function simulatedTimeProviders(config: InvoicingConfig, clock: Clock, override: Clock | undefined): Provider[] {
  return [
    {
      provide: LAG_PROBE,
      inject: [MessagingRuntime, PG_POOL],
      useFactory: (messaging: MessagingRuntime, pool: Pool) => {
        const probe = new ConsumerLagProbe(messaging.kafka, {
          db: pool,
          schema: config.schema,
          targets: config.runBackgroundWork
            ? [
                { groupId: config.consumerGroups.billing, topics: [config.topics.billingEvents] },
                { groupId: config.consumerGroups.collection, topics: [config.topics.collectionCases] },
              ]
            : [],
        });
        // Nest calls the hook on a factory's value too: the admin client closes with the app.
        return { probe, onModuleDestroy: () => probe.close() };
      },
    },
    {
      provide: SIMULATION_CONTROL,
      inject: [PG_POOL, CheckDeadlines, LAG_PROBE, RelayWakeUp],
      useFactory: async (pool: Pool, deadlines: CheckDeadlines, lag: { probe: ConsumerLagProbe }, relay: RelayWakeUp) => {
        const control = override ? new SimulationControl({ mode: 'system', clock: override }) : await SimulationControl.create(pool, config.schema, config.clock);
        if (clock instanceof DeferredClock) clock.use(control.clock);
        const counts = oncePerRound(() => deadlines.quiescenceCounts());
        return control
          .addDueWork('deadlinesChecked', async () => {
            const changed = await deadlines.sweepAll();
            // What the sweep committed goes out now, not at the relay's next poll.
            if (changed > 0) relay.wake();
            return changed;
          })
          .addProbe('consumerLag', () => lag.probe.lag())
          .addProbe('outboxPending', async () => (await counts()).outboxPending)
          .addProbe('deadlinesDue', async () => (await counts()).deadlinesDue);
      },
    },
  ];
}
