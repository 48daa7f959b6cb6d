/** The account's tunable rules, as data. Passed to `decide`; a decision never reads configuration itself. */
export interface AccountPolicy {
  /** How long an event naming an invoice not seen yet waits for it before it is dead-lettered. */
  readonly holdWindowMs: number;
  /** Days after a missed installment's due date until the plan counts as broken if still unpaid. */
  readonly planBreakGraceDays: number;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  holdWindowMs: 72 * 60 * 60 * 1000,
  planBreakGraceDays: 10,
};
