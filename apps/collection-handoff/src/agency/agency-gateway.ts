import type { AgencyCaseReport, AgencyClaim, DeliveryChannel, RecallReason } from '../domain';

/**
 * Who the debtor is, as the agency needs it to collect. Personal data: fetched from the debtor
 * directory at delivery time and handed straight to the agency; never stored in this service's
 * events or tables, never logged (promise 7).
 */
export interface DebtorContact {
  readonly name: string;
  readonly postalAddress?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

/** Where contact details come from (invoicing owns them). */
export interface DebtorDirectory {
  contactOf(customerId: string): Promise<DebtorContact | undefined>;
}

export const NO_DEBTOR_DIRECTORY: DebtorDirectory = { contactOf: async () => undefined };

export interface RecallInstruction {
  readonly handoffId: string;
  readonly collectionCaseId: string;
  readonly reason: RecallReason;
  readonly requestedAt: string;
}

export interface AgencyBatch {
  /** Stable across retries of the same work, so a re-sent batch is recognisably the same one. */
  readonly batchId: string;
  readonly cutoffAt: Date;
  readonly claims: readonly AgencyClaim[];
  readonly recalls: readonly RecallInstruction[];
}

export type ClaimReceipt =
  /** The agency holds the claim; `duplicate` when it told us it already had it (same idempotency key). */
  | { readonly handoffId: string; readonly outcome: 'accepted'; readonly duplicate: boolean; readonly agencyReference?: string | undefined }
  /** Not now (timeout, 5xx, network): the case stays checked and is sent again later. */
  | { readonly handoffId: string; readonly outcome: 'retry-later'; readonly reason: string };

export type RecallReceipt =
  | { readonly handoffId: string; readonly outcome: 'recalled'; readonly agencyKnewCase: boolean }
  | { readonly handoffId: string; readonly outcome: 'retry-later'; readonly reason: string };

export interface BatchReceipt {
  readonly claims: readonly ClaimReceipt[];
  readonly recalls: readonly RecallReceipt[];
}

/**
 * One interface for every agency, whatever the channel: a batch of claims and recalls goes out,
 * a receipt per item comes back. A file agency writes the whole batch as one drop file at its
 * cut-off; an API agency sends each item with its idempotency key. Sending the same batch twice
 * must never open a case twice at the agency.
 */
export interface AgencyGateway {
  readonly agencyId: string;
  readonly channel: DeliveryChannel;
  send(batch: AgencyBatch): Promise<BatchReceipt>;
  /** The agency's view of every case it holds, for the daily reconciliation. */
  listCases(): Promise<AgencyCaseReport[]>;
}
