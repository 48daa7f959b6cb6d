import { Pool, PoolClient } from 'pg';

/** A row as it comes back from PostgreSQL: column name → value. */
export type SqlRow = Record<string, unknown>;

/**
 * The one database capability this library needs. A `pg` PoolClient or Pool satisfies it as is;
 * a TypeORM QueryRunner does through {@link fromTypeOrmQueryRunner}. Keeping the type this small
 * lets the same code run inside a caller's transaction, whatever opened it.
 */
export interface SqlClient {
  query<R = SqlRow>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
}

export interface SqlResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** A pooled connection: a `pg` PoolClient satisfies it. */
export interface SqlPoolClient extends SqlClient {
  /** `release(true)` (or an error) destroys the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void;
}

/** A pool the caller owns (its size, its lifetime): a `pg` Pool satisfies it. */
export interface SqlPool extends SqlClient {
  connect(): Promise<SqlPoolClient>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  isolation?: IsolationLevel;
}

const isolationSql: Record<IsolationLevel, string> = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/**
 * Runs `fn` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it
 * throws. A connection whose ROLLBACK failed is destroyed rather than returned to the pool, so a
 * broken session never leaks into the next caller.
 */
export function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
export function withTransaction<T>(pool: SqlPool, fn: (client: SqlPoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function withTransaction<T>(
  pool: Pool | SqlPool,
  fn: ((client: PoolClient) => Promise<T>) | ((client: SqlPoolClient) => Promise<T>),
  options: TransactionOptions = {},
): Promise<T> {
  // The overloads pair a pg Pool with a pg PoolClient callback, so the client handed over is the one `fn` expects.
  const client = (await pool.connect()) as PoolClient;
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolationSql[options.isolation ?? 'read committed']}`);
    const result = await (fn as (client: PoolClient) => Promise<T>)(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The part of a TypeORM QueryRunner the adapter uses (structurally typed, so no import cycle). */
export interface TypeOrmQueryRunnerLike {
  query(query: string, parameters?: unknown[], useStructuredResult?: boolean): Promise<unknown>;
}

interface TypeOrmStructuredResult {
  records?: unknown[];
  affected?: number;
}

/**
 * Adapts a TypeORM QueryRunner (for example the one of an `EntityManager` inside
 * `dataSource.transaction(...)`) so that event-store calls join that transaction.
 */
export function fromTypeOrmQueryRunner(queryRunner: TypeOrmQueryRunnerLike): SqlClient {
  return {
    async query<R = SqlRow>(text: string, values?: unknown[]) {
      const result = (await queryRunner.query(text, values, true)) as TypeOrmStructuredResult;
      return { rows: (result.records ?? []) as R[], rowCount: result.affected ?? null };
    },
  };
}

/** True when `client` is a pool, i.e. every query may run on a different connection in autocommit. */
export function isPool(client: SqlClient): client is Pool {
  return client instanceof Pool;
}
