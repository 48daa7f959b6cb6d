/**
 * Why a command was refused, as data: a stable kebab-case code for machines and a one-line
 * reason for people. Reasons name ids, amounts and dates, never personal data: they end up in
 * HTTP responses, dead-letter headers and logs.
 */
export const REJECTION_CODES = [
  'currency-mismatch',
  'credit-exceeds-invoice-amount',
  'payment-plan-exceeds-balance',
  'installments-out-of-order',
  'installment-due-before-agreement',
  'invoice-settled',
  'invoice-not-disputed',
  'resolved-before-disputed',
  'due-date-before-issue-date',
  'invoice-id-reused',
  'payment-id-reused',
  'credit-note-id-reused',
  'plan-id-reused',
  'dispute-already-resolved',
  'unknown-invoice',
  'invoice-of-another-customer',
  'not-handed-off',
  'customer-mismatch',
  'amount-out-of-range',
  'invoice-not-seen-within-window',
  'no-invoice-within-window',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  readonly kind: 'rejection';
  readonly code: RejectionCode;
  readonly reason: string;
}

export const reject = (code: RejectionCode, reason: string): Rejection => ({ kind: 'rejection', code, reason });

export const isRejection = (value: unknown): value is Rejection =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rejection';
