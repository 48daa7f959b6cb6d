import { decodeRecord, decodeStructuredEvent } from '../cloudevents/codec';
import type { DecodeResult } from '../cloudevents/decode-error';
import type { KafkaRecordLike } from '../cloudevents/kafka-record';
import { billingEventRegistry, type BillingEvent } from './billing-events';

/** Decode a record from billing.events.v1 (binary or structured mode) into a validated billing event. */
export function decodeBillingRecord(record: KafkaRecordLike): DecodeResult<BillingEvent> {
  return decodeRecord(record, billingEventRegistry);
}

/** Decode a billing event given as CloudEvents JSON (structured), e.g. an HTTP request body. */
export function decodeBillingCloudEvent(envelope: unknown): DecodeResult<BillingEvent> {
  return decodeStructuredEvent(envelope, billingEventRegistry);
}
