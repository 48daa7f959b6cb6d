/**
 * A place in the global log. The log is ordered by the writing transaction's id first, then by
 * the row's position inside its table, because only that order can be read without gaps: every
 * transaction whose id is below `pg_snapshot_xmin(pg_current_snapshot())` has ended, so the rows
 * below that horizon are final and a cursor over them never has to look back.
 *
 * Both parts are 64-bit in PostgreSQL, so they are bigints here.
 */
export interface LogPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

/** Before the first event: `readAll({ after: LOG_START })` reads from the beginning. */
export const LOG_START: LogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}

/** `"<transactionId>/<globalPosition>"`: a checkpoint that fits a text column or a log line. */
export function formatLogPosition(position: LogPosition): string {
  return `${position.transactionId}/${position.globalPosition}`;
}

export function parseLogPosition(text: string): LogPosition {
  const [, transactionId, globalPosition] = /^(\d+)\/(\d+)$/.exec(text) ?? [];
  if (transactionId === undefined || globalPosition === undefined) throw new Error(`Not a log position: "${text}" (expected "<transactionId>/<globalPosition>")`);
  return { transactionId: BigInt(transactionId), globalPosition: BigInt(globalPosition) };
}
