import { BadRequestException, Controller, Get, Header, Inject, Query, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { ORCHESTRATOR_RUNTIME } from '../runtime/orchestrator.controller';
import type { OrchestratorRuntime } from '../runtime/orchestrator-runtime';
import { KafkaTopicOffsetsReader, OperationsQuery } from './operations-query';
import { renderOperationsPage, type OperationsSnapshot } from './operations-view';

export const OPERATIONS_QUERY = Symbol('OPERATIONS_QUERY');

/** Owns the page's Kafka admin client so it disconnects with the app. */
class OperationsQueryHolder implements OnModuleDestroy {
  constructor(
    readonly query: OperationsQuery,
    private readonly kafka: KafkaTopicOffsetsReader,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.kafka.close();
  }
}

export const operationsQueryProvider: Provider = {
  provide: OPERATIONS_QUERY,
  inject: [ORCHESTRATOR_RUNTIME],
  useFactory: (runtime: OrchestratorRuntime) => {
    const { config } = runtime;
    const kafka = new KafkaTopicOffsetsReader(runtime.service.kafkaBrokers);
    const inputTopics = [config.topics.invoices, config.topics.scores, config.topics.deliveries, config.topics.collectionCases];
    const query = new OperationsQuery({
      db: runtime.pool,
      schema: config.schema,
      messagingSchema: config.messagingSchema,
      consumerGroup: config.consumerGroup,
      inputTopics,
      platformTopics: [...inputTopics, config.topics.actions],
      policy: runtime.policy,
      now: () => runtime.clock.now(),
      kafka,
    });
    return new OperationsQueryHolder(query, kafka);
  },
};

const DEFAULT_REFRESH_SECONDS = 30;

/** The operator's page: cases by state, actions per day, dead letters, consumer lag, experiments. */
@Controller('ops')
export class OperationsPageController {
  constructor(@Inject(OPERATIONS_QUERY) private readonly holder: OperationsQueryHolder) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  // Nothing external may load: no scripts at all, inline style only.
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
  @Header('cache-control', 'no-store')
  async page(@Query('refresh') refresh?: string): Promise<string> {
    const refreshSeconds = refresh === undefined ? DEFAULT_REFRESH_SECONDS : Number(refresh);
    if (!Number.isInteger(refreshSeconds) || refreshSeconds < 0 || refreshSeconds > 3600) throw new BadRequestException('refresh must be whole seconds between 0 (off) and 3600');
    return renderOperationsPage(await this.holder.query.snapshot(), { refreshSeconds });
  }

  @Get('data')
  @Header('cache-control', 'no-store')
  async data(): Promise<OperationsSnapshot> {
    return this.holder.query.snapshot();
  }
}
