import type { Pool } from 'pg';
import { NonRetriableError } from '../src/errors';
import type { DecodeResult, KafkaRecord, OutboundRecord } from '../src/records';
import { quoteIdentifier, type SqlClient } from '../src/sql';
import type { BatchHandler, BatchResult, ConsumedEvent } from '../src/transactional-batch-consumer';

/**
 * A small projection for the consumer's tests: transfers summed per account, and one "effect"
 * per transfer (think: a notification) recorded with a unique effect key. `effect_attempts`
 * has no unique key, so it counts every committed attempt: a duplicate effect shows up there.
 */
export interface Transfer {
  readonly id: string;
  readonly account: string;
  readonly amountMinor: number;
}

export function transferRecord(topic: string, transfer: Transfer, headers: Record<string, string> = {}): OutboundRecord {
  return {
    topic,
    key: transfer.account,
    value: Buffer.from(JSON.stringify({ id: transfer.id, account: transfer.account, amount: { minor: transfer.amountMinor, currency: 'SEK' } })),
    headers: { 'content-type': 'application/json', ce_id: transfer.id, ...headers },
  };
}

export function decodeTransfer(record: KafkaRecord): DecodeResult<Transfer> {
  let body: unknown;
  try {
    body = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch {
    return { ok: false, error: { code: 'invalid_json', reason: 'the value is not JSON' } };
  }
  if (typeof body !== 'object' || body === null) return { ok: false, error: { code: 'invalid_data', reason: 'the value is not a JSON object' } };
  const { id, account, amount } = body as { id?: unknown; account?: unknown; amount?: { minor?: unknown } };
  if (typeof id !== 'string' || id.length === 0) return { ok: false, error: { code: 'invalid_data', reason: 'id must be a non-empty string' } };
  if (typeof account !== 'string' || account.length === 0) return { ok: false, error: { code: 'invalid_data', reason: 'account must be a non-empty string' } };
  if (typeof amount?.minor !== 'number' || !Number.isInteger(amount.minor) || amount.minor <= 0) {
    return { ok: false, error: { code: 'invalid_data', reason: 'amount.minor must be a positive integer' } };
  }
  return { ok: true, value: { id, account, amountMinor: amount.minor } };
}

export function transfersDdl(schema: string): string {
  const s = quoteIdentifier(schema);
  return `CREATE TABLE IF NOT EXISTS ${s}.account_sums (account text PRIMARY KEY, total_minor bigint NOT NULL, transfers integer NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.effects (effect_key text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ${s}.effect_attempts (effect_key text NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.blocked_accounts (account text PRIMARY KEY);`;
}

export interface TransferHandlerOptions {
  /** Called at the start of every handler call, inside the open transaction. */
  readonly onBatch?: (events: readonly ConsumedEvent<Transfer>[]) => Promise<void> | void;
  /** Transfers the handler refuses by throwing a NonRetriableError that names no offset. */
  readonly refuse?: (transfer: Transfer) => boolean;
}

/**
 * The batched projection write: one multi-row upsert per batch (sums aggregated in memory first,
 * because one INSERT … ON CONFLICT cannot touch a row twice), effects only in live mode.
 * Transfers to a blocked account are rejected (a business rejection) and not applied.
 */
export function transferHandler(schema: string, options: TransferHandlerOptions = {}): BatchHandler<Transfer> {
  const s = quoteIdentifier(schema);
  return async (events, tx: SqlClient, context): Promise<BatchResult> => {
    await options.onBatch?.(events);
    const refuse = options.refuse;
    if (refuse && events.some((e) => refuse(e.value))) {
      throw new NonRetriableError('amount_refused', 'the ledger refuses this amount');
    }
    const blocked = await tx.query<{ account: string }>(`SELECT account FROM ${s}.blocked_accounts WHERE account = ANY($1::text[])`, [
      [...new Set(events.map((e) => e.value.account))],
    ]);
    const blockedAccounts = new Set(blocked.rows.map((r) => r.account));
    const rejected = events
      .filter((e) => blockedAccounts.has(e.value.account))
      .map((e) => ({ offset: e.offset, code: 'account_blocked', reason: 'transfers to this account are blocked' }));
    const applied = events.filter((e) => !blockedAccounts.has(e.value.account));
    const sums = new Map<string, { total: number; count: number }>();
    for (const { value } of applied) {
      const sum = sums.get(value.account) ?? { total: 0, count: 0 };
      sum.total += value.amountMinor;
      sum.count += 1;
      sums.set(value.account, sum);
    }
    if (sums.size > 0) {
      await tx.query(
        `INSERT INTO ${s}.account_sums (account, total_minor, transfers)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
         ON CONFLICT (account) DO UPDATE SET total_minor = account_sums.total_minor + excluded.total_minor, transfers = account_sums.transfers + excluded.transfers`,
        [[...sums.keys()], [...sums.values()].map((v) => v.total), [...sums.values()].map((v) => v.count)],
      );
    }
    if (context.mode === 'live' && applied.length > 0) {
      const keys = applied.map((e) => `notify:${e.value.id}`);
      await tx.query(`INSERT INTO ${s}.effect_attempts (effect_key) SELECT unnest($1::text[])`, [keys]);
      await tx.query(`INSERT INTO ${s}.effects (effect_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [keys]);
    }
    return { rejected };
  };
}

export type AccountSums = Map<string, { total: number; count: number }>;

export function referenceFold(transfers: readonly Transfer[]): AccountSums {
  const sums: AccountSums = new Map();
  for (const t of transfers) {
    const sum = sums.get(t.account) ?? { total: 0, count: 0 };
    sums.set(t.account, { total: sum.total + t.amountMinor, count: sum.count + 1 });
  }
  return sums;
}

export async function readAccountSums(pool: Pool, schema: string): Promise<AccountSums> {
  const result = await pool.query<{ account: string; total_minor: string; transfers: number }>(
    `SELECT account, total_minor, transfers FROM ${quoteIdentifier(schema)}.account_sums`,
  );
  return new Map(result.rows.map((r) => [r.account, { total: Number(r.total_minor), count: r.transfers }]));
}

export async function countAppliedTransfers(pool: Pool, schema: string): Promise<number> {
  const result = await pool.query<{ n: string | null }>(`SELECT sum(transfers) AS n FROM ${quoteIdentifier(schema)}.account_sums`);
  return Number(result.rows[0]?.n ?? 0);
}

export async function effectCounts(pool: Pool, schema: string): Promise<{ attempts: number; distinctAttempted: number; effects: number }> {
  const s = quoteIdentifier(schema);
  const result = await pool.query<{ attempts: string; distinct_attempted: string; effects: string }>(
    `SELECT (SELECT count(*) FROM ${s}.effect_attempts) AS attempts,
            (SELECT count(DISTINCT effect_key) FROM ${s}.effect_attempts) AS distinct_attempted,
            (SELECT count(*) FROM ${s}.effects) AS effects`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return { attempts: Number(row.attempts), distinctAttempted: Number(row.distinct_attempted), effects: Number(row.effects) };
}

/** `count` transfers over `accounts` accounts with deterministic, varied amounts. */
export function makeTransfers(count: number, accounts: number, idPrefix = 't'): Transfer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${idPrefix}-${i}`,
    account: `acct-${(i * 7919) % accounts}`,
    amountMinor: 1 + ((i * 104729) % 10_000),
  }));
}
