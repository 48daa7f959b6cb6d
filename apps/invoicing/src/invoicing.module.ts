import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeferredClock, PlatformModule } from '@dunning/platform';
import { EventStore, Inbox } from '@dunning/event-store';
import { MessagingModule } from '@dunning/messaging';
import type { Pool } from 'pg';
import { AccountStore } from './accounts/account-store';
import { DeadLetters } from './accounts/dead-letters';
import { ApiKeyGuard } from './auth/require-scope';
import { BackgroundWork, RelayWakeUp } from './background-work';
import { CheckDeadlines } from './checking-deadlines/handler';
import { systemClock, type Clock } from './clock';
import type { InvoicingConfig } from './config';
import { ErasePersonalData } from './erasing-personal-data/handler';
import { ErasureController } from './erasing-personal-data/route';
import { IngestBillingEvent } from './ingesting-billing-events/handler';
import { HttpIngestion } from './ingesting-billing-events/http-ingestion';
import { billingEventsConsumer } from './ingesting-billing-events/kafka-consumer';
import { BillingEventsController } from './ingesting-billing-events/route';
import { DeadLettersController } from './listing-dead-letters/route';
import { invoicingMigrations } from './migrations';
import { ContactBook } from './personal-data/contact-book';
import { PersonalDataVault } from './personal-data/vault';
import { InvoiceQueries } from './querying-invoices/handler';
import { InvoicesController } from './querying-invoices/route';
import { ReadContact } from './reading-contacts/handler';
import { ContactsController } from './reading-contacts/route';
import { collectionCasesConsumer } from './recording-collection-cases/kafka-consumer';
import { simulatedTimeProviders, InvoicingSimulatedTimeController } from './simulated-time/providers';
import { CLOCK, INVOICING_CONFIG, PG_POOL } from './tokens';

export interface InvoicingModuleOptions {
  readonly clock?: Clock;
}

/** TypeORM's PostgreSQL driver keeps its pg Pool as `master`: the event store and consumers run on it. */
function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the TypeORM data source has no pg pool (is it PostgreSQL, and initialised?)');
  return pool;
}

function factory<T>(provide: abstract new (...args: never[]) => T, inject: unknown[], useFactory: (...args: never[]) => T): Provider {
  return { provide, inject: inject as never[], useFactory };
}

/** The use cases and their adapters; the messaging module imports it for the consumers. */
function coreModule(config: InvoicingConfig, clock: Clock): DynamicModule {
  const { schema } = config;
  const providers: Provider[] = [
    { provide: INVOICING_CONFIG, useValue: config },
    { provide: CLOCK, useValue: clock },
    { provide: PG_POOL, inject: [DataSource], useFactory: pgPoolOf },
    { provide: EventStore, useFactory: () => new EventStore({ schema, clock: () => clock.now() }) },
    { provide: Inbox, useFactory: () => new Inbox({ schema, clock: () => clock.now() }) },
    { provide: DeadLetters, useFactory: () => new DeadLetters(schema) },
    { provide: PersonalDataVault, useFactory: () => new PersonalDataVault(schema, config.personalDataKek, () => clock.now()) },
    factory(ContactBook, [PersonalDataVault], (vault: PersonalDataVault) => new ContactBook(schema, vault)),
    factory(
      AccountStore,
      [EventStore],
      (store: EventStore) =>
        new AccountStore(store, {
          schema,
          invoicesTopic: config.topics.invoices,
          billingTopic: config.topics.billingEvents,
          consumerGroup: config.consumerGroups.billing,
          policy: config.policy,
          clock: () => clock.now(),
        }),
    ),
    factory(
      IngestBillingEvent,
      [AccountStore, ContactBook, Inbox, DeadLetters],
      (accounts: AccountStore, contacts: ContactBook, inbox: Inbox, deadLetters: DeadLetters) => new IngestBillingEvent(accounts, contacts, inbox, deadLetters, clock, `"${schema}".inbox`),
    ),
    factory(CheckDeadlines, [PG_POOL, AccountStore], (pool: Pool, accounts: AccountStore) => new CheckDeadlines(pool, accounts, clock, schema)),
    factory(ErasePersonalData, [PG_POOL, AccountStore, PersonalDataVault], (pool: Pool, accounts: AccountStore, vault: PersonalDataVault) => new ErasePersonalData(pool, accounts, vault, clock, schema)),
    factory(InvoiceQueries, [PG_POOL, AccountStore], (pool: Pool, accounts: AccountStore) => new InvoiceQueries(pool, accounts, schema)),
    factory(ReadContact, [PG_POOL, AccountStore, ContactBook], (pool: Pool, accounts: AccountStore, contacts: ContactBook) => new ReadContact(pool, accounts, contacts)),
  ];
  @Module({})
  class InvoicingCoreModule {}
  return {
    module: InvoicingCoreModule,
    providers,
    exports: providers.map((provider) => (typeof provider === 'function' ? provider : provider.provide)),
  };
}

@Module({})
export class InvoicingModule {
  static forRoot(config: InvoicingConfig, options: InvoicingModuleOptions = {}): DynamicModule {
    // A simulated clock can only be read once the migrations ran: until then providers hold a DeferredClock.
    const clock = options.clock ?? (config.clock.mode === 'simulated' ? new DeferredClock() : systemClock);
    const core = coreModule(config, clock);
    // What the consumers commit goes out at once: they wake the relay after each committed chunk.
    const relayWakeUp = new RelayWakeUp();
    const onCommitted = (): void => relayWakeUp.wake();
    return {
      module: InvoicingModule,
      imports: [
        PlatformModule.forRoot({ config: config.service, migrations: invoicingMigrations(config.schema) }),
        core,
        MessagingModule.forRootAsync({
          imports: [core],
          inject: [PG_POOL, IngestBillingEvent, AccountStore, Inbox, DeadLetters],
          useFactory: (pool: Pool, ingest: IngestBillingEvent, accounts: AccountStore, inbox: Inbox, deadLetters: DeadLetters) => ({
            clientId: 'invoicing',
            brokers: config.service.kafkaBrokers,
            pool,
            consumers: config.runBackgroundWork
              ? [
                  { ...billingEventsConsumer({ groupId: config.consumerGroups.billing, topic: config.topics.billingEvents, schema: config.schema, ingest, deadLetters, clock }), onCommitted },
                  { ...collectionCasesConsumer({ groupId: config.consumerGroups.collection, topic: config.topics.collectionCases, schema: config.schema, accounts, inbox, deadLetters, clock }), onCommitted },
                ]
              : [],
          }),
        }),
      ],
      controllers: [BillingEventsController, InvoicesController, DeadLettersController, ErasureController, ContactsController, InvoicingSimulatedTimeController],
      providers: [
        ApiKeyGuard,
        ...simulatedTimeProviders(config, clock, options.clock),
        { provide: RelayWakeUp, useValue: relayWakeUp },
        BackgroundWork,
        {
          provide: HttpIngestion,
          inject: [PG_POOL, IngestBillingEvent, BackgroundWork],
          useFactory: (pool: Pool, ingest: IngestBillingEvent, background: BackgroundWork) => new HttpIngestion(pool, ingest, clock, config.schema, () => background.wakeRelay()),
        },
      ],
    };
  }
}
