import { context as otelContext } from '@opentelemetry/api';
import {
  collectionEventRegistry,
  decodeRecord,
  invoicingEventRegistry,
  notifierEventRegistry,
  scoringEventRegistry,
  type CloudEventLike,
  type EventRegistry,
} from '@dunning/contracts';
import type { BatchHandler, RecordDecoder } from '@dunning/messaging';
import { localDateOf } from '../domain';
import type { Clock } from '../clock/clock';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import type { CaseProcessor } from './case-processor';
import { mapInputEvent, type OrchestratorInputEvent } from './input-mapping';

/** Decodes a record of any of the four input topics with that topic's contract. */
export function inputDecoder(topics: OrchestratorConfig['topics']): RecordDecoder<OrchestratorInputEvent> {
  const registries = new Map<string, EventRegistry<CloudEventLike>>([
    [topics.invoices, invoicingEventRegistry as EventRegistry<CloudEventLike>],
    [topics.scores, scoringEventRegistry as EventRegistry<CloudEventLike>],
    [topics.deliveries, notifierEventRegistry as EventRegistry<CloudEventLike>],
    [topics.collectionCases, collectionEventRegistry as EventRegistry<CloudEventLike>],
  ]);
  return (record) => {
    const registry = registries.get(record.topic);
    if (!registry) return { ok: false, error: { code: 'unknown-topic', reason: `no contract for topic ${record.topic}` } };
    const decoded = decodeRecord(record, registry);
    if (!decoded.ok) return { ok: false, error: { code: decoded.error.code, reason: decoded.error.reason } };
    return { ok: true, value: decoded.event as unknown as OrchestratorInputEvent };
  };
}

/**
 * The projection of open dunning cases from invoicing.invoices.v1, scoring.scores.v1,
 * notifier.deliveries.v1 and collection.cases.v1. Runs inside the consumer's transaction, so
 * each record changes the cases exactly once together with its offset. In `replay` mode it only
 * re-derives state: no decision, no timer, no outbox row, nothing sent.
 */
export function caseProjector(processor: CaseProcessor, clock: Clock): BatchHandler<OrchestratorInputEvent> {
  return async (events, tx, context) => {
    const now = clock.now();
    for (const consumed of events) {
      // Inside the record's span, so that the decisions' outbox rows carry its trace downstream.
      await otelContext.with(consumed.traceContext, async () => {
        const mapped = mapInputEvent(consumed.value);
        if (mapped.terminatedAt) await processor.recordTermination(tx, mapped.customerId, mapped.terminatedAt);
        const targets = [...mapped.caseInputs];
        if (mapped.forEveryOpenCase) {
          for (const caseId of await processor.openCasesOf(tx, mapped.customerId)) targets.push({ caseId, input: mapped.forEveryOpenCase });
        }
        for (const { caseId, input } of targets) {
          const paymentReceivedAt = mapped.payment?.caseId === caseId ? mapped.payment.receivedAt : undefined;
          if (context.mode === 'live') {
            // Mark, handle and payment date in three statements (see CaseProcessor.takeIn).
            await processor.takeIn(tx, caseId, mapped.customerId, mapped.inputKey, input, now, paymentReceivedAt);
            continue;
          }
          const firstTime = await processor.markInputSeen(tx, caseId, mapped.inputKey);
          const state = firstTime ? (await processor.handle(tx, caseId, mapped.customerId, [input], context.mode, now)).state : await processor.rebuild(tx, caseId, mapped.customerId, now);
          if (paymentReceivedAt) await processor.recordPayment(tx, mapped.customerId, localDateOf(paymentReceivedAt, state.invoice?.customer.timeZone ?? 'UTC'));
        }
      });
    }
  };
}
