import { dunningEventRegistry, DUNNING_SOURCE, encodeBinary, type CloudEventLike } from '@dunning/contracts';
import type { OutboxMessage } from '@dunning/event-store';
import type { CaseDecision, DunningCase } from '../domain';

type OutgoingEvent = Omit<CloudEventLike, 'data'> & { readonly data: { readonly customerId: string } & Readonly<Record<string, unknown>> };

const OUTCOME_OF_CLOSE = { settled: 'paid', credited: 'credited', 'dispute-upheld': 'dispute-upheld' } as const;

/**
 * Maps the case's decisions to public messages on dunning.actions.v1 (the gateway between domain
 * and integration events). Timers, pauses and segment assignments stay inside; requests, skipped
 * steps, arm assignments and closures go out, each with its reason, segment, flow, policy version
 * and experiment arm, and requests with the legal terms the rule pack allowed.
 */
export class DunningGateway {
  constructor(private readonly topic: string) {}

  toOutbox(state: DunningCase, decisions: readonly CaseDecision[]): OutboxMessage[] {
    return decisions.flatMap((decision) => {
      const event = this.toEvent(state, decision);
      if (!event) return [];
      // Validate against the contract before it leaves: a mistake here is ours, not the consumer's.
      const check = dunningEventRegistry.schema.safeParse(event);
      if (!check.success) throw new Error(`dunning event ${event.type} breaks its contract: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const record = encodeBinary(event);
      return [{ topic: this.topic, key: record.key, messageId: event.id, value: record.value, headers: record.headers }];
    });
  }

  private toEvent(state: DunningCase, decision: CaseDecision): OutgoingEvent | undefined {
    const invoice = state.invoice;
    if (!invoice) return undefined;
    const ids = { caseId: state.caseId, invoiceId: invoice.invoiceId, customerId: invoice.customer.customerId };
    const envelope = (type: string, id: string, time: string) => ({ specversion: '1.0' as const, id, source: DUNNING_SOURCE, type, time, subject: state.caseId });
    switch (decision.type) {
      case 'ActionRequested': {
        const a = decision.action;
        const experiment = a.experiment ? { experimentId: a.experiment.experimentId, arm: a.experiment.armId } : undefined;
        const explanation = {
          decisionReason: a.reason.slice(0, 500),
          ...(a.segmentId ? { segmentId: a.segmentId } : {}),
          flowId: a.flowId,
          ...(a.payBy ? { payBy: a.payBy } : {}),
          ...(a.interest ? { interest: a.interest } : {}),
          ...(a.businessCompensation ? { businessCompensation: a.businessCompensation } : {}),
          ...(a.adjustments.length > 0 ? { legalAdjustments: a.adjustments.slice(0, 20).map((adjustment) => ({ ...adjustment, detail: adjustment.detail.slice(0, 500) })) } : {}),
        };
        if (a.kind === 'reminder') {
          return {
            ...envelope('dunning.reminder.requested.v1', a.actionId, a.requestedAt),
            data: {
              actionId: a.actionId,
              ...ids,
              requestedAt: a.requestedAt,
              channel: a.channel ?? 'email',
              templateId: a.template,
              locale: a.locale ?? invoice.customer.locale ?? 'en',
              ...(a.reminderFee && a.reminderFee.minor > 0 ? { fee: a.reminderFee } : {}),
              stepId: a.stepId,
              policyVersion: a.policyVersion,
              ...(experiment ? { experiment } : {}),
              ...(a.fallbackChannels ? { fallbackChannels: a.fallbackChannels } : {}),
              ...explanation,
            },
          };
        }
        return {
          ...envelope('dunning.handoff.requested.v1', a.actionId, a.requestedAt),
          data: { actionId: a.actionId, ...ids, requestedAt: a.requestedAt, amountDue: a.outstanding, stepId: a.stepId, policyVersion: a.policyVersion, ...(experiment ? { experiment } : {}), ...explanation },
        };
      }
      case 'StepSkipped':
        return {
          ...envelope('dunning.step.skipped.v1', `${state.caseId}/${decision.stepKey}/skipped`, decision.at),
          data: {
            ...ids,
            stepId: decision.stepId,
            skippedAt: decision.at,
            reasonCode: decision.reason,
            detail: decision.detail.slice(0, 500),
            policyVersion: decision.policyVersion,
            ...(decision.experiment ? { experiment: { experimentId: decision.experiment.experimentId, arm: decision.experiment.armId } } : {}),
            ...(decision.segmentId ? { segmentId: decision.segmentId } : {}),
            flowId: decision.flowId,
          },
        };
      case 'ExperimentArmAssigned':
        return {
          ...envelope('dunning.experiment.arm-assigned.v1', `${state.caseId}/experiment/${decision.experimentId}`, decision.at),
          data: {
            experimentId: decision.experimentId,
            arm: decision.armId,
            unit: 'customer',
            ...ids,
            assignedAt: decision.at,
            policyVersion: decision.policyVersion,
            bucket: decision.bucket,
            flowId: decision.flowId,
            ...(decision.flowChosenBy ? { flowChosenBy: decision.flowChosenBy } : {}),
            ...(decision.reasons ? { assignmentReasons: decision.reasons.map((reason) => reason.slice(0, 300)).slice(0, 10) } : {}),
          },
        };
      case 'CaseClosed':
        return {
          ...envelope('dunning.case.closed.v1', `${state.caseId}/closed`, decision.at),
          data: { ...ids, closedAt: decision.at, outcomeCode: OUTCOME_OF_CLOSE[decision.reason] },
        };
      default:
        return undefined;
    }
  }
}
