import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { KafkaPublisher } from '../kafka-publisher';
import type { SqlPool } from '../sql';
import { TransactionalBatchConsumer, type TransactionalBatchConsumerOptions } from '../transactional-batch-consumer';

/** A consumer as an app declares it; the module supplies the Kafka client and (by default) the pool. */
export type ConsumerRegistration<T> = Omit<TransactionalBatchConsumerOptions<T>, 'kafka' | 'pool'> & { readonly pool?: SqlPool };

export interface MessagingModuleOptions {
  readonly clientId: string;
  /** Default: KAFKA_BROKERS (comma separated), else 127.0.0.1:9092. */
  readonly brokers?: readonly string[];
  /** Extra kafkajs client settings (SSL, SASL, retry…). */
  readonly kafkaConfig?: Omit<KafkaConfig, 'clientId' | 'brokers'>;
  /** The pool every consumer's transactions run on, unless a registration brings its own. */
  readonly pool?: SqlPool;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each registration has its own event type
  readonly consumers?: readonly ConsumerRegistration<any>[];
}

export interface MessagingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  readonly useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/** The publisher port, for code that should not know it is Kafka (e.g. the outbox relay). */
export const RECORD_PUBLISHER = Symbol('RECORD_PUBLISHER');

export function brokersFromEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

/**
 * Owns the Kafka client, the producer and the registered consumers. Consumers start once the
 * whole application is initialised (migrations have run) and stop in `onModuleDestroy`, i.e.
 * before TypeORM or the pool owner closes its connections in `onApplicationShutdown`; call
 * `app.enableShutdownHooks()` so SIGTERM gets here.
 */
@Injectable()
export class MessagingRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  readonly kafka: Kafka;
  readonly publisher: KafkaPublisher;
  readonly consumers: readonly TransactionalBatchConsumer<unknown>[];

  constructor(@Inject(MESSAGING_OPTIONS) options: MessagingModuleOptions) {
    this.kafka = new Kafka({
      logLevel: logLevel.WARN,
      ...options.kafkaConfig,
      clientId: options.clientId,
      brokers: [...(options.brokers ?? brokersFromEnvironment())],
    });
    this.publisher = new KafkaPublisher(this.kafka);
    this.consumers = (options.consumers ?? []).map((registration) => {
      const pool = registration.pool ?? options.pool;
      if (!pool) throw new Error(`consumer ${registration.groupId} has no SQL pool: give MessagingModule a pool`);
      return new TransactionalBatchConsumer<unknown>({ ...registration, kafka: this.kafka, pool });
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.publisher.connect();
    for (const consumer of this.consumers) await consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.publisher.disconnect();
  }
}

/**
 * Kafka for a NestJS app without `@EventPattern`:
 *
 *   MessagingModule.forRootAsync({
 *     inject: [DataSource, InvoiceProjection],
 *     useFactory: (ds: DataSource, projection: InvoiceProjection) => ({
 *       clientId: 'invoicing',
 *       pool: pgPoolOf(ds),
 *       consumers: [{ groupId: 'invoicing.projection', topics: ['billing.events.v1'], decode, handle: projection.apply }],
 *     }),
 *   })
 *
 * The module is global: `KafkaPublisher` and `RECORD_PUBLISHER` can be injected anywhere.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return MessagingModule.build([], { provide: MESSAGING_OPTIONS, useValue: options });
  }

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return MessagingModule.build(options.imports ?? [], {
      provide: MESSAGING_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    });
  }

  private static build(imports: NonNullable<ModuleMetadata['imports']>, optionsProvider: NonNullable<ModuleMetadata['providers']>[number]): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports,
      providers: [
        optionsProvider,
        MessagingRuntime,
        { provide: KafkaPublisher, useFactory: (runtime: MessagingRuntime) => runtime.publisher, inject: [MessagingRuntime] },
        { provide: RECORD_PUBLISHER, useExisting: KafkaPublisher },
      ],
      exports: [MessagingRuntime, KafkaPublisher, RECORD_PUBLISHER],
    };
  }
}
