import type { SqlClient } from '@dunning/event-store';
import { DlqHeaders } from '@dunning/messaging';
import type { Origin } from './origin';

/**
 * The `dead_letters` table: every input invoicing refused, with its code and reason, whichever
 * way it came (Kafka, HTTP, or a held event whose invoice never arrived). Kafka rejections are
 * also on `<topic>.dlq`; this table is what operators query (GET /dead-letters).
 */
export interface DeadLetterEntry {
  readonly channel: 'kafka' | 'http' | 'hold';
  readonly origin: Origin;
  readonly errorClass: string;
  readonly code: string;
  readonly reason: string;
  readonly at: Date;
}

export class DeadLetters {
  private readonly table: string;
  constructor(schema: string) {
    this.table = `"${schema}".dead_letters`;
  }

  async record(tx: SqlClient, entry: DeadLetterEntry): Promise<void> {
    const { origin } = entry;
    await tx.query(
      `INSERT INTO ${this.table}
         (dead_lettered_at, channel, topic, kafka_partition, kafka_offset, event_source, event_id, event_type, customer_id, error_class, code, reason, headers, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        entry.at,
        entry.channel,
        origin.topic ?? null,
        origin.partition ?? null,
        origin.offset ?? null,
        origin.eventSource ?? null,
        origin.eventId ?? null,
        origin.eventType ?? null,
        origin.customerId ?? origin.record.key ?? null,
        entry.errorClass,
        entry.code,
        entry.reason,
        JSON.stringify(origin.record.headers),
        origin.record.value,
      ],
    );
  }
}

/** Dead-letter headers in libs/messaging's format, for records invoicing dead-letters itself (through the outbox). */
export function deadLetterHeaders(origin: Origin, consumerGroup: string, cause: { errorClass: string; code: string; reason: string }, at: Date): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(origin.record.headers)) if (!name.startsWith('dlq.')) headers[name] = value;
  headers[DlqHeaders.originalTopic] = origin.topic ?? 'http';
  headers[DlqHeaders.originalPartition] = String(origin.partition ?? -1);
  headers[DlqHeaders.originalOffset] = origin.offset ?? '-1';
  headers[DlqHeaders.consumerGroup] = consumerGroup;
  headers[DlqHeaders.errorClass] = cause.errorClass;
  headers[DlqHeaders.errorCode] = cause.code;
  headers[DlqHeaders.errorReason] = cause.reason.replace(/[\r\n]+/g, ' ').slice(0, 500);
  headers[DlqHeaders.failedAt] = at.toISOString();
  return headers;
}
