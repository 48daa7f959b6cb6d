import { context as otelContext } from '@opentelemetry/api';
import { decodeBillingRecord, type BillingEvent, type DecodeError } from '@dunning/contracts';
import { EventStoreConcurrencyError } from '@dunning/event-store';
import { RetriableError, type ConsumerRegistration, type KafkaRecord, type RecordRejection } from '@dunning/messaging';
import type { DeadLetters } from '../accounts/dead-letters';
import type { Origin } from '../accounts/origin';
import type { Clock } from '../clock';
import type { IngestBillingEvent } from './handler';
import { recordIngestion } from './telemetry';

/**
 * `billing.events.v1` through libs/messaging's transactional batch consumer: each chunk of a
 * partition is one PostgreSQL transaction holding the appends, outbox rows, inbox ids, read
 * models, dead-letter rows and the consumed offset. A malformed record is decoded into a
 * "malformed" value (rather than failing decoding) so that its `dead_letters` row is written in
 * that same transaction; the handler then hands it back as rejected, and the consumer puts it
 * on `<topic>.dlq` with its reason.
 */
export type BillingRecord =
  | { readonly kind: 'event'; readonly event: BillingEvent; readonly raw: Buffer | null }
  | { readonly kind: 'malformed'; readonly error: DecodeError; readonly raw: Buffer | null };

export function decodeBillingKafkaRecord(record: KafkaRecord): { ok: true; value: BillingRecord } {
  const decoded = decodeBillingRecord(record);
  return { ok: true, value: decoded.ok ? { kind: 'event', event: decoded.event, raw: record.value } : { kind: 'malformed', error: decoded.error, raw: record.value } };
}

export interface BillingConsumerDependencies {
  readonly groupId: string;
  readonly topic: string;
  readonly schema: string;
  readonly ingest: IngestBillingEvent;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
}

/** Another writer (the HTTP API) appended to the same account, or took an invoice id: redo the chunk on fresh state. */
const retriableIfConcurrent = (error: unknown): unknown =>
  error instanceof EventStoreConcurrencyError ? new RetriableError('concurrent-append', error.message, { cause: error }) : error;

export function billingEventsConsumer(deps: BillingConsumerDependencies): ConsumerRegistration<BillingRecord> {
  return {
    groupId: deps.groupId,
    topics: [deps.topic],
    schema: deps.schema,
    decode: decodeBillingKafkaRecord,
    handle: async (events, tx) => {
      const batch = await deps.ingest.prepare(
        tx,
        events.flatMap((consumed) => (consumed.value.kind === 'event' ? [consumed.value.event] : [])),
      );
      const rejected: RecordRejection[] = [];
      for (const consumed of events) {
        const record = consumed.value;
        const origin: Origin = {
          channel: 'kafka',
          topic: consumed.topic,
          partition: consumed.partition,
          offset: consumed.offset,
          ...(record.kind === 'event'
            ? { eventSource: record.event.source, eventId: record.event.id, eventType: record.event.type, customerId: record.event.data.customerId }
            : {
                ...(record.error.event?.source === undefined ? {} : { eventSource: record.error.event.source }),
                ...(record.error.event?.id === undefined ? {} : { eventId: record.error.event.id }),
                ...(record.error.event?.type === undefined ? {} : { eventType: record.error.event.type }),
              }),
          record: { key: consumed.key, value: record.raw, headers: consumed.headers },
        };
        if (record.kind === 'malformed') {
          const { code, reason } = record.error;
          await deps.deadLetters.record(tx, { channel: 'kafka', origin, errorClass: 'DecodeError', code, reason, at: deps.clock.now() });
          rejected.push({ offset: consumed.offset, code, reason });
          recordIngestion(record.error.event?.type, 'rejected', code, consumed.traceContext);
          continue;
        }
        try {
          // Inside the record's span: the outbox rows this writes carry its trace downstream.
          const outcome = await otelContext.with(consumed.traceContext, () => deps.ingest.ingest(tx, record.event, origin, batch));
          if (outcome.status === 'rejected') rejected.push({ offset: consumed.offset, code: outcome.code, reason: outcome.reason });
          const ids = { invoiceId: 'invoiceId' in record.event.data ? record.event.data.invoiceId : undefined, customerId: record.event.data.customerId };
          recordIngestion(record.event.type, outcome.status, outcome.status === 'rejected' ? outcome.code : undefined, consumed.traceContext, ids);
        } catch (error) {
          throw retriableIfConcurrent(error);
        }
      }
      await deps.ingest.finish(tx, batch).catch((error: unknown) => {
        throw retriableIfConcurrent(error);
      });
      return { rejected };
    },
  };
}
