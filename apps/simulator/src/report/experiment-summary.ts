import { epochDayOf } from '../domain/calendar';
import type { InvoiceResult, SimulationResults } from '../domain/simulation';
import {
  meanDifference,
  meanWithInterval,
  rateDifference,
  shareWhoWouldHavePaidAnyway,
  wilson,
  type Interval,
  type MeanEstimate,
  type RateEstimate,
} from './statistics';

// From a run's per-invoice results and the platform's arm assignments to the experiment table.
// A case is an invoice the platform put in a group (an experiment arm, or a flow) once it was late.
// Every window is counted from the due date, and only over cases observed for the whole window
// (right-censoring): a case due ten days before the run ended says nothing about 60 days.

export interface GroupDefinition {
  readonly id: string;
  readonly label: string;
}

export interface SummaryWindows {
  readonly paidDays: readonly number[];
  /** The main paid window: recovered amount, hand-offs and the would-have-paid-anyway estimate use it. */
  readonly mainDays: number;
  readonly churnDays: number;
  /** Last day since due of the paid curve. */
  readonly curveDays: number;
}

export const DEFAULT_WINDOWS: SummaryWindows = { paidDays: [14, 30, 60], mainDays: 60, churnDays: 90, curveDays: 90 };

export interface SummaryInput {
  readonly results: SimulationResults;
  readonly assignments: ReadonlyMap<string, string>;
  /** The groups to show, in order; `controlGroup` is the one every difference is taken against. */
  readonly groups: readonly GroupDefinition[];
  readonly controlGroup: string;
  /** For the "would have paid anyway" estimate: the collection arm and the no-action arm. */
  readonly collectionGroup?: string;
  readonly noActionGroup?: string;
  readonly windows?: SummaryWindows;
}

export interface GroupSummary {
  readonly id: string;
  readonly label: string;
  readonly cases: number;
  readonly customers: number;
  readonly paidWithin: ReadonlyArray<{ readonly days: number; readonly rate: RateEstimate }>;
  readonly handoff: RateEstimate;
  readonly churn: RateEstimate;
  /** Per case: the share of the invoice (after credits) paid within the main window. */
  readonly recoveryShare: MeanEstimate;
  readonly recoveredMinor: Readonly<Record<string, number>>;
  readonly billedMinor: Readonly<Record<string, number>>;
  /** Messages about the case, from three days before the due date to the end of the main window. */
  readonly contactsPerCase: MeanEstimate;
  /** Every message a customer of the group saw during the run. */
  readonly contactsPerCustomer: MeanEstimate;
  /** Messages and demands about invoices past their due date, per customer. */
  readonly contactsAfterDuePerCustomer: MeanEstimate;
  /** Customers by number of contacts after a due date: index = count, the last bucket is "that many or more". */
  readonly contactHistogram: readonly number[];
  /** Share paid (settled by payment) by each day since the due date, 0 … curveDays. */
  readonly paidCurve: ReadonlyArray<{ readonly day: number; readonly share: number; readonly n: number }>;
  /** Ground truth the platform never sees: the cases' hidden types. */
  readonly hiddenTypes: Readonly<Record<string, number>>;
}

export interface GroupDifference {
  readonly id: string;
  readonly paid: Interval;
  readonly handoff: Interval;
  readonly churn: Interval;
  readonly recoveryShare: Interval;
  readonly contactsPerCase: Interval;
}

export interface ExperimentSummary {
  readonly firstDay: string;
  readonly lastDay: string;
  readonly windows: SummaryWindows;
  readonly controlGroup: string;
  readonly groups: readonly GroupSummary[];
  readonly differences: readonly GroupDifference[];
  readonly wouldHavePaidAnyway: Interval | null;
  readonly invoices: number;
  readonly lateInvoices: number;
  readonly customers: number;
  readonly customersLeft: number;
}

export const HISTOGRAM_BUCKETS = 8;

export function summarizeExperiment(input: SummaryInput): ExperimentSummary {
  const windows = input.windows ?? DEFAULT_WINDOWS;
  const { results, assignments } = input;
  const lastDay = epochDayOf(results.lastDay);
  const observed = (invoice: InvoiceResult, days: number): boolean => epochDayOf(invoice.dueDate) + days <= lastDay;

  const casesByGroup = new Map<string, InvoiceResult[]>(input.groups.map((group) => [group.id, []]));
  const customerGroup = new Map<string, string>();
  for (const invoice of results.invoices) {
    const group = assignments.get(invoice.invoiceId);
    if (group === undefined) continue;
    const cases = casesByGroup.get(group);
    if (!cases) continue;
    cases.push(invoice);
    customerGroup.set(invoice.customerId, group);
  }
  const customersByGroup = new Map<string, Array<{ all: number; afterDue: number }>>(input.groups.map((group) => [group.id, []]));
  for (const customer of results.customers) {
    const group = customerGroup.get(customer.customerId);
    if (group !== undefined) customersByGroup.get(group)?.push({ all: customer.contacts, afterDue: customer.contactsAfterDue });
  }

  const paidBy = (invoice: InvoiceResult, days: number): boolean =>
    invoice.settledBy === 'payment' && invoice.settledDaysSinceDue !== null && invoice.settledDaysSinceDue <= days;

  const groups: GroupSummary[] = input.groups.map((group) => {
    const cases = casesByGroup.get(group.id) ?? [];
    const inMain = cases.filter((c) => observed(c, windows.mainDays));
    const inChurn = cases.filter((c) => observed(c, windows.churnDays));
    const recovered: Record<string, number> = {};
    const billed: Record<string, number> = {};
    for (const c of inMain) {
      const principal = c.amountMinor - c.creditedMinor;
      const paid = Math.min(principal, c.payments.filter((p) => p.daysSinceDue <= windows.mainDays).reduce((sum, p) => sum + p.amountMinor, 0));
      recovered[c.currency] = (recovered[c.currency] ?? 0) + paid;
      billed[c.currency] = (billed[c.currency] ?? 0) + principal;
    }
    const contacts = customersByGroup.get(group.id) ?? [];
    const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    for (const { afterDue: count } of contacts) histogram[Math.min(count, HISTOGRAM_BUCKETS - 1)] = (histogram[Math.min(count, HISTOGRAM_BUCKETS - 1)] ?? 0) + 1;
    const hiddenTypes: Record<string, number> = {};
    for (const c of cases) hiddenTypes[c.hiddenType] = (hiddenTypes[c.hiddenType] ?? 0) + 1;
    return {
      id: group.id,
      label: group.label,
      cases: cases.length,
      customers: contacts.length,
      paidWithin: windows.paidDays.map((days) => {
        const eligible = cases.filter((c) => observed(c, days));
        return { days, rate: wilson(eligible.filter((c) => paidBy(c, days)).length, eligible.length) };
      }),
      handoff: wilson(inMain.filter((c) => c.handoffDaysSinceDue !== null && c.handoffDaysSinceDue <= windows.mainDays).length, inMain.length),
      churn: wilson(inChurn.filter((c) => c.customerLeftDaysSinceDue !== null && c.customerLeftDaysSinceDue > 0 && c.customerLeftDaysSinceDue <= windows.churnDays).length, inChurn.length),
      recoveryShare: meanWithInterval(
        inMain.map((c) => {
          const principal = c.amountMinor - c.creditedMinor;
          if (principal <= 0) return 1;
          return Math.min(principal, c.payments.filter((p) => p.daysSinceDue <= windows.mainDays).reduce((sum, p) => sum + p.amountMinor, 0)) / principal;
        }),
      ),
      recoveredMinor: recovered,
      billedMinor: billed,
      contactsPerCase: meanWithInterval(inMain.map((c) => c.contacts.filter((contact) => contact.daysSinceDue >= -3 && contact.daysSinceDue <= windows.mainDays).length)),
      contactsPerCustomer: meanWithInterval(contacts.map((c) => c.all)),
      contactsAfterDuePerCustomer: meanWithInterval(contacts.map((c) => c.afterDue)),
      contactHistogram: histogram,
      paidCurve: Array.from({ length: windows.curveDays + 1 }, (_, day) => {
        const eligible = cases.filter((c) => observed(c, day));
        return { day, n: eligible.length, share: eligible.length === 0 ? Number.NaN : eligible.filter((c) => paidBy(c, day)).length / eligible.length };
      }),
      hiddenTypes,
    };
  });

  const control = groups.find((g) => g.id === input.controlGroup);
  const mainPaid = (g: GroupSummary): RateEstimate => g.paidWithin.find((p) => p.days === windows.mainDays)?.rate ?? wilson(0, 0);
  const differences: GroupDifference[] = control
    ? groups
        .filter((g) => g.id !== control.id)
        .map((g) => ({
          id: g.id,
          paid: rateDifference(mainPaid(g), mainPaid(control)),
          handoff: rateDifference(g.handoff, control.handoff),
          churn: rateDifference(g.churn, control.churn),
          recoveryShare: meanDifference(g.recoveryShare, control.recoveryShare),
          contactsPerCase: meanDifference(g.contactsPerCase, control.contactsPerCase),
        }))
    : [];

  let wouldHavePaidAnyway: Interval | null = null;
  if (input.collectionGroup && input.noActionGroup) {
    const collectionCases = (casesByGroup.get(input.collectionGroup) ?? []).filter((c) => observed(c, windows.mainDays));
    const noActionCases = (casesByGroup.get(input.noActionGroup) ?? []).filter((c) => observed(c, windows.mainDays));
    const paid = (c: InvoiceResult): boolean => paidBy(c, windows.mainDays);
    const afterDemand = (c: InvoiceResult): boolean => c.handoffDaysSinceDue !== null && c.settledDaysSinceDue !== null && c.settledDaysSinceDue > c.handoffDaysSinceDue;
    if (collectionCases.length > 0 && noActionCases.length > 0) {
      wouldHavePaidAnyway = shareWhoWouldHavePaidAnyway(
        { paid: noActionCases.filter(paid).length, n: noActionCases.length },
        {
          paidBeforeDemand: collectionCases.filter((c) => paid(c) && !afterDemand(c)).length,
          paidAfterDemand: collectionCases.filter((c) => paid(c) && afterDemand(c)).length,
          n: collectionCases.length,
        },
      );
    }
  }

  return {
    firstDay: results.firstDay,
    lastDay: results.lastDay,
    windows,
    controlGroup: input.controlGroup,
    groups,
    differences,
    wouldHavePaidAnyway,
    invoices: results.invoices.length,
    lateInvoices: results.invoices.filter((i) => i.lateAfterDueDay).length,
    customers: results.customers.length,
    customersLeft: results.customers.filter((c) => c.leftOn !== null).length,
  };
}
