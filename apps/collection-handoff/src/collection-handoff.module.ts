import { DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { decodeRecord, dunningEventRegistry, invoicingEventRegistry, type DunningEvent, type InvoicingEvent } from '@dunning/contracts';
import { EventStore } from '@dunning/event-store';
import { MessagingModule, type ConsumerRegistration } from '@dunning/messaging';
import { createSimulatedTimeController, DeferredClock, PlatformModule, SIMULATION_CONTROL, SimulationControl } from '@dunning/platform';
import type { AgencyGateway, DebtorDirectory } from './agency/agency-gateway';
import { NO_DEBTOR_DIRECTORY } from './agency/agency-gateway';
import { BatchFileAgency } from './agency/batch-file-agency';
import { RestAgency } from './agency/rest-agency';
import { BackgroundWork } from './background-work';
import { CheckHandoff } from './checking-handoffs/check-handoff';
import { agencyRouter, type CollectionConfig } from './config';
import { DeliveryWorker, type CutoffSchedule } from './delivering/delivery-worker';
import { InvoicingDebtorDirectory } from './delivering/invoicing-debtor-directory';
import { collectionMigrations } from './migrations';
import { CaseStore } from './persistence/case-store';
import { InvoiceProjectionStore } from './persistence/invoice-projection-store';
import { ProjectInvoices } from './projecting-invoices/handler';
import { ReceiveAgencyCallback } from './receiving-agency-callbacks/handler';
import { AgencyCallbacksController } from './receiving-agency-callbacks/route';
import { ReconciliationJob } from './reconciling/reconciliation-job';
import { ReconciliationController } from './reconciling/route';
import { RegisterHandoffRequests } from './registering-handoff-requests/handler';
import { WakeAfterCommit } from './wake-after-commit';
import { AGENCY_CALLBACK_TOKENS, AGENCY_GATEWAYS, CLOCK, COLLECTION_CONFIG, PG_POOL } from './tokens';

export interface CollectionHandoffOptions {
  /** The clock in system mode (tests run it fast); with DUNNING_CLOCK=simulated the simulated clock wins. */
  readonly clock?: () => Date;
  /** Replaces the configured gateways (tests). */
  readonly gateways?: ReadonlyMap<string, AgencyGateway>;
  readonly debtors?: DebtorDirectory;
}

/** TypeORM's PostgreSQL driver keeps its pg Pool as `master`: the event store, consumers and worker run on it. */
function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the TypeORM data source has no pg pool (is it PostgreSQL, and initialised?)');
  return pool;
}

/** Our input and output topics exist before anyone subscribes (a broker need not auto-create them). */
async function ensureTopics(config: CollectionConfig): Promise<void> {
  const admin = new Kafka({ clientId: 'collection-handoff-admin', brokers: config.service.kafkaBrokers, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [config.topics.invoices, config.topics.actions, config.topics.cases].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

export function gatewaysFrom(config: CollectionConfig, debtors: DebtorDirectory): Map<string, AgencyGateway> {
  const gateways = new Map<string, AgencyGateway>();
  for (const agency of config.agencies) {
    if (agency.channel === 'api' && agency.api) {
      gateways.set(
        agency.agencyId,
        new RestAgency({
          agencyId: agency.agencyId,
          baseUrl: agency.api.baseUrl,
          bearerToken: agency.api.bearerTokenEnv ? config.secrets[agency.api.bearerTokenEnv] : undefined,
          timeoutMs: agency.api.timeoutMs,
          maxAttempts: agency.api.maxAttempts,
          debtors,
        }),
      );
    } else if (agency.batch) {
      gateways.set(agency.agencyId, new BatchFileAgency({ agencyId: agency.agencyId, dropDir: agency.batch.dropDir, inboundDir: agency.batch.inboundDir, debtors }));
    }
  }
  return gateways;
}

function coreModule(config: CollectionConfig, options: CollectionHandoffOptions): DynamicModule {
  // Everything reads this one clock; it is the simulated one (loaded after the migrations ran) or the system's.
  const serviceClock = new DeferredClock();
  const clock = (): Date => serviceClock.now();
  const wakeups = new WakeAfterCommit();
  const { schema } = config;
  const debtors = options.debtors ?? (config.invoicing ? new InvoicingDebtorDirectory(config.invoicing) : NO_DEBTOR_DIRECTORY);
  const gateways = options.gateways ?? gatewaysFrom(config, debtors);
  const cutoffs = new Map<string, CutoffSchedule>(config.agencies.flatMap((a) => (a.channel === 'batch' && a.batch ? [[a.agencyId, a.batch.cutoff] as const] : [])));
  const callbackTokens = new Map(config.agencies.flatMap((a) => {
    const token = a.callbackTokenEnv ? config.secrets[a.callbackTokenEnv] : undefined;
    return token ? [[a.agencyId, token] as const] : [];
  }));
  const providers: Provider[] = [
    { provide: COLLECTION_CONFIG, useValue: config },
    { provide: CLOCK, useValue: clock },
    { provide: AGENCY_GATEWAYS, useValue: gateways },
    { provide: AGENCY_CALLBACK_TOKENS, useValue: callbackTokens },
    { provide: PG_POOL, inject: [DataSource], useFactory: pgPoolOf },
    {
      provide: SIMULATION_CONTROL,
      inject: [PG_POOL],
      useFactory: async (pool: Pool) => {
        const control =
          config.clock?.mode === 'simulated'
            ? await SimulationControl.create(pool, schema, config.clock)
            : new SimulationControl({ mode: 'system', ...(options.clock ? { clock: { now: options.clock } } : {}) });
        serviceClock.use(control.clock);
        return control;
      },
    },
    { provide: EventStore, useFactory: () => new EventStore({ schema, clock }) },
    { provide: InvoiceProjectionStore, useFactory: () => new InvoiceProjectionStore(schema) },
    { provide: CaseStore, inject: [EventStore, InvoiceProjectionStore], useFactory: (store: EventStore, projections: InvoiceProjectionStore) => new CaseStore(store, projections, { schema, casesTopic: config.topics.cases, clock }) },
    {
      provide: CheckHandoff,
      inject: [PG_POOL, CaseStore, InvoiceProjectionStore],
      useFactory: (pool: Pool, cases: CaseStore, projections: InvoiceProjectionStore) =>
        new CheckHandoff({ pool, cases, projections, clock, routeFor: agencyRouter(config.agencies), maxWaitForInvoiceMs: config.maxWaitForInvoiceMs, recheckAfterMs: config.recheckAfterMs }),
    },
    {
      provide: DeliveryWorker,
      inject: [PG_POOL, CaseStore, CheckHandoff],
      useFactory: (pool: Pool, cases: CaseStore, check: CheckHandoff) => {
        // Fields are ids, counts and reason codes only (promise 7); the redacting logger is the second net.
        const nest = new Logger('collection-handoff.worker');
        const logger = {
          info: (message: string, fields?: Record<string, unknown>) => nest.log(fields ? `${message} ${JSON.stringify(fields)}` : message),
          warn: (message: string, fields?: Record<string, unknown>) => nest.warn(fields ? `${message} ${JSON.stringify(fields)}` : message),
        };
        return new DeliveryWorker({ pool, schema, cases, check, gateways, clock, cutoffs, pollIntervalMs: config.workerPollMs, logger });
      },
    },
    // Handlers ask for a wake-up inside their transaction; the consumers pass it on after the commit.
    { provide: WakeAfterCommit, useValue: wakeups },
    { provide: ProjectInvoices, inject: [InvoiceProjectionStore, CaseStore], useFactory: (projections: InvoiceProjectionStore, cases: CaseStore) => new ProjectInvoices({ projections, cases, clock, onWorkDue: (chunk) => wakeups.ask(chunk) }) },
    { provide: RegisterHandoffRequests, inject: [CaseStore], useFactory: (cases: CaseStore) => new RegisterHandoffRequests({ cases, onRegistered: (chunk) => wakeups.ask(chunk) }) },
    { provide: ReceiveAgencyCallback, inject: [PG_POOL, CaseStore], useFactory: (pool: Pool, cases: CaseStore) => new ReceiveAgencyCallback({ pool, cases, onApplied: () => wakeups.now() }) },
    { provide: ReconciliationJob, inject: [PG_POOL, CaseStore], useFactory: (pool: Pool, cases: CaseStore) => new ReconciliationJob({ pool, schema, cases, gateways, clock }) },
  ];
  @Module({})
  class CollectionCoreModule {}
  return { module: CollectionCoreModule, providers, exports: providers.map((p) => (typeof p === 'function' ? p : p.provide)) };
}

@Module({})
export class CollectionHandoffModule {
  static forRoot(config: CollectionConfig, options: CollectionHandoffOptions = {}): DynamicModule {
    const core = coreModule(config, options);
    return {
      module: CollectionHandoffModule,
      imports: [
        PlatformModule.forRoot({ config: config.service, migrations: collectionMigrations(config.schema) }),
        core,
        MessagingModule.forRootAsync({
          imports: [core],
          inject: [PG_POOL, ProjectInvoices, RegisterHandoffRequests, WakeAfterCommit],
          useFactory: async (pool: Pool, project: ProjectInvoices, register: RegisterHandoffRequests, wakeups: WakeAfterCommit) => {
            if (config.runBackgroundWork) await ensureTopics(config);
            return {
            clientId: 'collection-handoff',
            brokers: config.service.kafkaBrokers,
            pool,
            consumers: config.runBackgroundWork
              ? [
                  {
                    groupId: config.consumerGroups.invoices,
                    topics: [config.topics.invoices],
                    schema: config.schema,
                    decode: (record) => decodeRecord(record, invoicingEventRegistry),
                    handle: project.handle,
                    onCommitted: wakeups.committed,
                  } satisfies ConsumerRegistration<InvoicingEvent>,
                  {
                    groupId: config.consumerGroups.actions,
                    topics: [config.topics.actions],
                    schema: config.schema,
                    decode: (record) => decodeRecord(record, dunningEventRegistry),
                    handle: register.handle,
                    onCommitted: wakeups.committed,
                  } satisfies ConsumerRegistration<DunningEvent>,
                ]
              : [],
            };
          },
        }),
      ],
      controllers: [AgencyCallbacksController, ReconciliationController, createSimulatedTimeController()],
      providers: [BackgroundWork],
    };
  }
}
