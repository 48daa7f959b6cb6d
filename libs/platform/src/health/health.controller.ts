import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka.health';
import { SERVICE_CONFIG } from '../tokens';
import type { ServiceConfig } from '../service-config';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Live: the process answers. Orchestrators restart a service only when this fails. */
  @Get('live')
  live() {
    return { status: 'ok', service: this.config.serviceName };
  }

  /** Ready: both the service's database and the Kafka broker answer (503 otherwise). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.kafka.isHealthy('kafka', this.config.kafkaBrokers),
    ]);
  }
}
