import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateHolidaysCalendar } from '../calendar/holiday-calendar';
import { decide } from '../case/decide';
import { evolve, foldCase, initialCase, type DunningCase } from '../case/dunning-case';
import type { CaseDecision, CaseEvent, CaseInput, CustomerProfile } from '../case/events';
import type { PaymentHistory } from '../policy/history';
import { parsePolicy } from '../policy/parse-policy';
import type { Policy } from '../policy/policy-schema';
import { localDateOf, toMillis, type Instant } from '../time/time';

// Test support: drives cases the way the service does (apply an input, decide, apply the
// decisions; fire due timers as time passes), keeping every case's event log.

export const calendar = new DateHolidaysCalendar();

export function loadPolicy(file = 'default.yaml'): Policy {
  return parsePolicy(readFileSync(path.resolve(__dirname, '../../../policies', file), 'utf8'), file);
}

export function customer(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    customerId: 'customer-1',
    type: 'consumer',
    timeZone: 'Europe/Stockholm',
    country: 'SE',
    locale: 'sv-SE',
    consent: { email: true, sms: true, letter: true },
    ...overrides,
  };
}

export class CaseWorld {
  readonly logs = new Map<string, CaseEvent[]>();
  readonly cases = new Map<string, DunningCase>();
  /** Every decision with the instant it was made, in order. */
  readonly decisions: { caseId: string; at: Instant; decision: CaseDecision }[] = [];
  history: PaymentHistory = { invoices: [], paymentDates: [] };

  constructor(
    public policy: Policy,
    public now: Instant,
    private readonly onDecision: (caseId: string, decision: CaseDecision, world: CaseWorld) => void = () => undefined,
  ) {}

  caseOf(caseId: string): DunningCase {
    return this.cases.get(caseId) ?? initialCase(caseId);
  }

  contacts(): { actionId: string; at: Instant }[] {
    return this.decisions.flatMap(({ decision }) =>
      decision.type === 'ActionRequested' && decision.action.kind === 'reminder' ? [{ actionId: decision.action.actionId, at: decision.action.requestedAt }] : [],
    );
  }

  private append(caseId: string, event: CaseEvent): void {
    const log = this.logs.get(caseId) ?? [];
    log.push(event);
    this.logs.set(caseId, log);
    this.cases.set(caseId, evolve(this.caseOf(caseId), event));
  }

  decideNow(caseId: string): CaseDecision[] {
    const decisions = decide(this.caseOf(caseId), { now: this.now, policy: this.policy, calendar, history: this.history, customerContacts: this.contacts() });
    for (const decision of decisions) {
      this.append(caseId, decision);
      this.decisions.push({ caseId, at: this.now, decision });
      this.onDecision(caseId, decision, this);
    }
    return decisions;
  }

  /** An input arrives: fold it in and decide at once, as the consumer does in one transaction. */
  receive(caseId: string, input: CaseInput): CaseDecision[] {
    this.append(caseId, input);
    if (input.type === 'PaymentApplied') {
      const tz = this.caseOf(caseId).invoice?.customer.timeZone ?? 'UTC';
      this.history = { ...this.history, paymentDates: [...this.history.paymentDates, localDateOf(input.receivedAt, tz)] };
    }
    return this.decideNow(caseId);
  }

  /** Lets time pass, firing each due timer at its instant in order (the poller). */
  advanceTo(target: Instant): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = [...this.cases.values()]
        .flatMap((c) => (c.timer && toMillis(c.timer.fireAt) <= toMillis(target) ? [{ caseId: c.caseId, timer: c.timer }] : []))
        .sort((a, b) => toMillis(a.timer.fireAt) - toMillis(b.timer.fireAt))[0];
      if (!due) break;
      const timer = due.timer;
      if (toMillis(timer.fireAt) > toMillis(this.now)) this.now = timer.fireAt;
      this.append(due.caseId, { type: 'TimerFired', timerId: timer.timerId, at: this.now });
      this.decideNow(due.caseId);
    }
    if (toMillis(target) > toMillis(this.now)) this.now = target;
  }

  /** A crash: the process forgets everything but the logs and folds them again. */
  restart(): void {
    for (const [caseId, log] of this.logs) this.cases.set(caseId, foldCase(caseId, log));
  }

  actions(caseId?: string) {
    return this.decisions.flatMap(({ caseId: id, decision }) => (decision.type === 'ActionRequested' && (!caseId || id === caseId) ? [decision.action] : []));
  }

  ofType<T extends CaseDecision['type']>(type: T, caseId?: string): Extract<CaseDecision, { type: T }>[] {
    return this.decisions.filter(({ caseId: id, decision }) => decision.type === type && (!caseId || id === caseId)).map(({ decision }) => decision as Extract<CaseDecision, { type: T }>);
  }
}
