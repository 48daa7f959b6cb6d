import type { Pool } from 'pg';
import type { AccountStore } from '../accounts/account-store';
import { withAccountTransaction } from '../accounts/transactions';
import type { Clock } from '../clock';
import type { PersonalDataVault } from '../personal-data/vault';

/**
 * Erasure (`DELETE /customers/{id}/personal-data`), in one transaction:
 * 1. the account records `PersonalDataErased` (the profile then has no contact on file, and
 *    `invoicing.customer.updated.v1` tells downstream services that nothing reaches the customer);
 * 2. the customer's key is destroyed: every sealed value of theirs — contact versions and free-text
 *    reasons in the event log, the contacts row — can never be opened again;
 * 3. the contacts row is deleted (by the projection of step 1);
 * 4. copies of raw inputs kept for operators (dead-letter payloads, records of held events) lose
 *    their payload: those are the original billing records, which carry the contact in the clear.
 * Amounts, dates, ids and statuses are not personal contact data and stay: every invoice still
 * reconstructs from the log.
 */
export interface ErasureReport {
  readonly customerId: string;
  readonly erasedAt: string;
  readonly keyDestroyed: boolean;
  readonly deadLetterPayloadsErased: number;
  readonly heldRecordsErased: number;
  readonly alreadyErased: boolean;
}

export class ErasePersonalData {
  constructor(
    private readonly pool: Pool,
    private readonly accounts: AccountStore,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    private readonly schema: string,
  ) {}

  async erase(customerId: string): Promise<ErasureReport> {
    return withAccountTransaction(this.pool, async (tx) => {
      const now = this.clock.now();
      const outcome = await this.accounts.execute(tx, { type: 'ErasePersonalData', data: { customerId }, metadata: { now: now.toISOString() } });
      if (outcome.kind === 'rejected') throw new Error(`erasure refused: ${outcome.rejection.reason}`);
      const keyDestroyed = await this.vault.destroy(tx, customerId);
      await tx.query(`DELETE FROM "${this.schema}".customer_contacts WHERE customer_id = $1`, [customerId]);
      const deadLetters = await tx.query(
        `UPDATE "${this.schema}".dead_letters SET payload = NULL, headers = '{}'::jsonb, payload_erased = true WHERE customer_id = $1 AND NOT payload_erased`,
        [customerId],
      );
      const held = await tx.query(`UPDATE "${this.schema}".held_events SET record_value = NULL WHERE customer_id = $1 AND record_value IS NOT NULL`, [customerId]);
      return {
        customerId,
        erasedAt: now.toISOString(),
        keyDestroyed,
        deadLetterPayloadsErased: deadLetters.rowCount ?? 0,
        heldRecordsErased: held.rowCount ?? 0,
        alreadyErased: outcome.kind === 'unchanged' && !keyDestroyed,
      };
    });
  }
}
