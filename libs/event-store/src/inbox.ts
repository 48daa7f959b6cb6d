import { qualified } from './schema';
import type { SqlClient } from './sql-client';

export interface InboxOptions {
  readonly schema: string;
  readonly clock?: () => Date;
}

/**
 * Remembers which messages a consumer has already acted on, so an effect handler fed the same
 * message twice (a relay republishing after a crash, a redelivered batch) acts once. Call it in
 * the transaction that records the effect: the inbox rows and the effect commit or vanish together.
 */
export class Inbox {
  private readonly schema: string;
  private readonly clock: () => Date;

  constructor(options: InboxOptions) {
    this.schema = qualified(options.schema);
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Records `messageIds` as processed by `consumer` and returns those that were not yet: the ones
   * to act on now, in the order given, each once. A concurrent transaction recording the same id
   * makes this one wait for it, so two consumers cannot both see an id as new.
   */
  async markProcessed(client: SqlClient, consumer: string, messageIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(messageIds)];
    if (unique.length === 0) return [];
    const { rows } = await client.query<{ message_id: string }>(
      `INSERT INTO ${this.schema}.inbox (consumer, message_id, processed_at)
       SELECT $1, id, $3 FROM unnest($2::text[]) AS id
       ON CONFLICT (consumer, message_id) DO NOTHING
       RETURNING message_id`,
      [consumer, unique, this.clock()],
    );
    const inserted = new Set(rows.map((row) => row.message_id));
    return unique.filter((id) => inserted.has(id));
  }
}
