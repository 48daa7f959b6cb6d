import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Ready means the broker answers a metadata request now. A fresh admin connection per probe
 * with no retries keeps the answer honest: a cached connection can look alive after the
 * broker has gone.
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly indicator: HealthIndicatorService) {}

  async isHealthy(key: string, brokers: string[], timeoutMs = 2_000) {
    const check = this.indicator.check(key);
    const kafka = new Kafka({
      clientId: 'health-probe',
      brokers,
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return check.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return check.down({ reason: error instanceof Error ? error.message : String(error) });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
