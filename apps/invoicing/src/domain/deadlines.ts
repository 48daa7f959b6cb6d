import type { AccountState } from './account';
import { addDays } from './calendar';
import { activePlan } from './invoice';
import { add, compare, subtract, zero } from './money';
import type { AccountPolicy } from './policy';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant a calendar date is over everywhere (see calendar.dateIsOverEverywhere). */
const overEverywhereAt = (date: string): number => Date.parse(`${date}T00:00:00Z`) + DAY_MS + 12 * 60 * 60 * 1000;

/**
 * When the account next needs a `CheckDeadlines`: the earliest hold to expire, installment to
 * be judged missed, or plan to be judged broken. Undefined when nothing is pending. The service
 * keeps this per account so that a sweeper only looks at accounts that are due.
 */
export function nextDeadline(state: AccountState, policy: AccountPolicy): string | undefined {
  const candidates: number[] = Object.values(state.held).map((entry) => Date.parse(entry.expiresAt));
  for (const invoice of Object.values(state.invoices)) {
    const plan = activePlan(invoice);
    if (!plan) continue;
    const reduction = subtract(plan.balanceAtAgreement, invoice.balance);
    let required = zero(invoice.amount.currency);
    for (const [index, installment] of plan.installments.entries()) {
      required = add(required, installment.amount);
      if (compare(reduction, required) >= 0) continue;
      if (!plan.missed.includes(index + 1)) {
        // Its miss comes next; later installments are due later still.
        candidates.push(overEverywhereAt(installment.dueDate));
        break;
      }
      // Missed: the plan breaks at the end of its grace, unless a later installment is missed first.
      candidates.push(overEverywhereAt(addDays(installment.dueDate, policy.planBreakGraceDays)));
    }
  }
  if (candidates.length === 0) return undefined;
  return new Date(Math.min(...candidates)).toISOString();
}
