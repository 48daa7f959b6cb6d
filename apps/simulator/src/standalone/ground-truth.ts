import { mergeConfig, type ReferenceArm, type SimulatorConfig } from '../domain/config';
import type { InvoiceResult } from '../domain/simulation';
import { runStandalone } from './run-standalone';

export interface GroundTruth {
  /** Late consumer cases in both worlds. */
  readonly cases: number;
  /** Of the cases paid after a collection demand (within the window) in the collection world, those also paid within it in the no-action world. */
  readonly paidAfterDemand: number;
  readonly wouldHavePaidAnyway: number;
  readonly share: number;
  readonly paidWithCollection: number;
  readonly paidWithoutAction: number;
}

/**
 * What the experiment can only estimate, the simulator can count: the same customers with the same
 * dice, once with everyone late in the collection arm and once with everyone in the no-action arm.
 * Of the cases paid after the demand in the first world, the share paid within the window in the
 * second is the individual-level "would have paid anyway".
 */
export async function groundTruthWouldHavePaidAnyway(config: SimulatorConfig, windowDays = 60): Promise<GroundTruth> {
  const arms = config.referenceDunning.arms;
  const collection = arms.find((arm) => arm.role === 'collection');
  const noAction = arms.find((arm) => arm.role === 'no-action');
  if (!collection || !noAction) throw new Error('the ground truth needs a collection arm and a no-action arm');
  const world = async (arm: ReferenceArm) => (await runStandalone(mergeConfig(config, { referenceDunning: { arms: [{ ...arm, weight: 1 }] } }))).outcome;
  const withCollection = await world(collection);
  const withoutAction = await world(noAction);
  const paid = (i: InvoiceResult): boolean => i.settledBy === 'payment' && i.settledDaysSinceDue !== null && i.settledDaysSinceDue <= windowDays;
  const counterpart = new Map(withoutAction.results.invoices.filter((i) => withoutAction.assignments.get(i.invoiceId) === noAction.id).map((i) => [i.invoiceId, i]));
  let cases = 0;
  let paidAfterDemand = 0;
  let anyway = 0;
  let paidC = 0;
  let paidZ = 0;
  for (const invoice of withCollection.results.invoices) {
    if (withCollection.assignments.get(invoice.invoiceId) !== collection.id) continue;
    const other = counterpart.get(invoice.invoiceId);
    if (!other) continue;
    cases += 1;
    if (paid(invoice)) paidC += 1;
    if (paid(other)) paidZ += 1;
    if (paid(invoice) && invoice.handoffDaysSinceDue !== null && (invoice.settledDaysSinceDue as number) > invoice.handoffDaysSinceDue) {
      paidAfterDemand += 1;
      if (paid(other)) anyway += 1;
    }
  }
  return {
    cases,
    paidAfterDemand,
    wouldHavePaidAnyway: anyway,
    share: paidAfterDemand === 0 ? Number.NaN : anyway / paidAfterDemand,
    paidWithCollection: cases === 0 ? Number.NaN : paidC / cases,
    paidWithoutAction: cases === 0 ? Number.NaN : paidZ / cases,
  };
}
