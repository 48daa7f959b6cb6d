/**
 * How the consumer treats a failure. Two classes, chosen by whoever throws:
 *
 * - `RetriableError`: the world is temporarily wrong (a lock timeout, a peer that is down).
 *   The batch is retried in place with bounded exponential backoff. Errors of unknown class
 *   (a dropped connection, a driver error) are treated the same way, because losing a record
 *   to a DLQ over a network blip would be worse than waiting.
 * - `NonRetriableError`: this record can never succeed as it is (bad content, a business
 *   rule says no). The record goes to `<topic>.dlq` and the partition keeps flowing.
 *
 * `code` is a stable machine-readable identifier and `reason` a short human explanation.
 * Both end up in DLQ headers and `code` in metric attributes, so neither may ever contain
 * personal data (names, e-mail addresses, phone numbers, addresses) or record content.
 */
export class RetriableError extends Error {
  readonly code: string;
  constructor(code: string, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'RetriableError';
    this.code = code;
  }
  get reason(): string {
    return this.message;
  }
}

export class NonRetriableError extends Error {
  readonly code: string;
  /** When the handler knows which record is at fault, the consumer dead-letters just that one. */
  readonly offset: string | undefined;
  constructor(code: string, reason: string, options?: { offset?: string | number | bigint; cause?: unknown }) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.offset = options?.offset === undefined ? undefined : String(options.offset);
  }
  get reason(): string {
    return this.message;
  }
}

export type FailureClass = 'retriable' | 'non-retriable';

export function classifyFailure(error: unknown): FailureClass {
  return error instanceof NonRetriableError ? 'non-retriable' : 'retriable';
}

/** The error classes a DLQ record can carry in `dlq.error.class`. */
export const DeadLetterErrorClass = {
  /** The record could not be decoded or failed contract validation. */
  decode: 'DecodeError',
  /** The handler returned the record in `rejected` (a business rejection). */
  rejected: 'BusinessRejection',
} as const;
