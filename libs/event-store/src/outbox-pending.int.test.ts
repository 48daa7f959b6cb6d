import type { Pool } from 'pg';
import { dropSchema, freshEventStoreSchema, testPool } from '../test-support/postgres';
import { Outbox } from './outbox';
import { outboxPending } from './outbox-pending';

describe('outboxPending (real database)', () => {
  let pool: Pool;
  let schema: string;

  beforeAll(async () => {
    pool = await testPool(2);
    schema = await freshEventStoreSchema(pool);
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('counts the rows not yet published, and only committed ones', async () => {
    expect(await outboxPending(pool, schema)).toBe(0);
    const outbox = new Outbox({ schema });
    await outbox.enqueue(pool, [1, 2, 3].map((n) => ({ topic: 't', key: `k${n}`, messageId: `m${n}`, value: `v${n}` })));
    expect(await outboxPending(pool, schema)).toBe(3);

    // What a relay does after publishing.
    await pool.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE message_id IN ('m1', 'm2')`);
    expect(await outboxPending(pool, schema)).toBe(1);

    // A row in an open transaction is not visible yet.
    const open = await pool.connect();
    try {
      await open.query('BEGIN');
      await outbox.enqueue(open, [{ topic: 't', key: 'k4', messageId: 'm4', value: 'v4' }]);
      expect(await outboxPending(pool, schema)).toBe(1);
      await open.query('COMMIT');
    } finally {
      open.release();
    }
    expect(await outboxPending(pool, schema)).toBe(2);
  });

  it('refuses a schema that is not a plain identifier', async () => {
    await expect(outboxPending(pool, 'x"; DROP TABLE y; --')).rejects.toThrow();
  });
});
