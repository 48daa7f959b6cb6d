import type { ExpectedVersion } from './event-store';

/** Base of the errors that mean "someone else wrote first: reload and try again". */
export abstract class EventStoreConcurrencyError extends Error {
  readonly retryable = true;
}

/** The stream's current version is not the one the writer decided on. Nothing was written. */
export class StreamVersionConflictError extends EventStoreConcurrencyError {
  override readonly name = 'StreamVersionConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's committed version when the conflict was detected (0: the stream does not exist). */
    readonly actual: number,
  ) {
    super(`Stream "${streamId}" is at version ${actual}, expected ${String(expected)}`);
  }
}

/**
 * The writing transaction got its transaction id before another transaction that has since
 * appended to the same stream (or written an outbox message with the same key) and committed.
 * Letting it append would put its events *before* the other's in the log order
 * (transaction_id, position), reversing the stream's or key's order for every reader. Roll the
 * transaction back and run it again: the retry gets a newer transaction id.
 *
 * The statement may have written part of its work (locks taken, counters bumped), so the
 * transaction must not be committed.
 */
export class TransactionOrderConflictError extends EventStoreConcurrencyError {
  override readonly name = 'TransactionOrderConflictError';
  constructor(
    /** What the transaction would have reordered: `stream:<id>` or `key:<topic>/<key>`. */
    readonly subject: string,
  ) {
    super(`A transaction that started later already wrote to ${subject}; roll back and retry`);
  }
}
