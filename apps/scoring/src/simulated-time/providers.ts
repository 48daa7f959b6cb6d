import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { outboxPending } from '@dunning/event-store';
import { ConsumerLagProbe } from '@dunning/messaging';
import { DeferredClock, SIMULATION_CONTROL, SimulationControl, type ClockConfig } from '@dunning/platform';
import { ScoringRuntime } from '../scoring-runtime';
import { SCORING_SCHEMA, type ScoringSettings } from '../scoring-settings';

const LAG_PROBE = Symbol('SCORING_LAG_PROBE');

/**
 * Scoring's part of simulated time (docs/simulated-time.md). `deferred` is the clock the service
 * reads in simulated mode, loaded from `scoring.simulated_clock` once the migrations ran. A clock
 * move scans for invoices overdue at the new instant and runs the retrain schedule's check before
 * answering; quiescence counts consumer lag, unpublished scores and invoices overdue but not scored.
 * `override` (a test's clock) makes the mode `system` with that clock.
 */
export function simulatedTimeProviders(settings: ScoringSettings, clockConfig: ClockConfig, deferred: DeferredClock | undefined, override: (() => Date) | undefined): Provider[] {
  return [
    {
      provide: LAG_PROBE,
      inject: [ScoringRuntime],
      useFactory: (runtime: ScoringRuntime) => {
        const probe = new ConsumerLagProbe(runtime.kafka, {
          db: runtime.pool,
          schema: SCORING_SCHEMA,
          targets: [
            { groupId: settings.consumerGroups.invoices, topics: [settings.topics.invoices] },
            { groupId: settings.consumerGroups.actions, topics: [settings.topics.actions] },
          ],
        });
        // Nest calls the hook on a factory's value too: the admin client closes with the app.
        return { probe, onModuleDestroy: () => probe.close() };
      },
    },
    {
      provide: SIMULATION_CONTROL,
      // After the data source, i.e. after the migration that creates simulated_clock.
      inject: [ScoringRuntime, LAG_PROBE, getDataSourceToken()],
      useFactory: async (runtime: ScoringRuntime, lag: { probe: ConsumerLagProbe }) => {
        const control = override
          ? new SimulationControl({ mode: 'system', clock: { now: override } })
          : await SimulationControl.create(runtime.pool, SCORING_SCHEMA, clockConfig);
        deferred?.use(control.clock);
        const overdueSql = `SELECT count(*)::int AS due FROM ${SCORING_SCHEMA}.invoice_watch WHERE status = 'waiting' AND overdue_at <= $1`;
        return control
          .addDueWork('overdueScanned', () => runtime.scanOverdueNow())
          .addDueWork('retrained', () => runtime.retrainNowIfDue())
          .addProbe('consumerLag', () => lag.probe.lag())
          .addProbe('outboxPending', () => outboxPending(runtime.pool, SCORING_SCHEMA))
          .addProbe('overdueDue', async () => (await runtime.pool.query<{ due: number }>(overdueSql, [control.now()])).rows[0]?.due ?? 0);
      },
    },
  ];
}
