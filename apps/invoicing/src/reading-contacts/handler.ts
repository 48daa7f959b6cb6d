import type { Pool } from 'pg';
import type { AccountStore } from '../accounts/account-store';
import { reachableChannels } from '../domain/account';
import type { CustomerProfile } from '../domain/events';
import type { Contact, ContactBook } from '../personal-data/contact-book';

/**
 * The one way out for a customer's contact in the clear: the notifier asks at send time (scope
 * `contacts`). Nothing personal is published on Kafka, so erasure has no copies to chase there.
 */
export type ContactAnswer =
  | { readonly status: 'unknown' }
  | { readonly status: 'erased'; readonly erasedAt?: string }
  | { readonly status: 'ok'; readonly customerId: string; readonly contact: Contact | null; readonly profile: CustomerProfile; readonly reachableChannels: string[] };

export class ReadContact {
  constructor(
    private readonly pool: Pool,
    private readonly accounts: AccountStore,
    private readonly contacts: ContactBook,
  ) {}

  async read(customerId: string): Promise<ContactAnswer> {
    const { state, version } = await this.accounts.load(this.pool, customerId);
    if (version === 0) return { status: 'unknown' };
    if (state.contact.erased) return { status: 'erased', ...(state.contact.erasedAt === undefined ? {} : { erasedAt: state.contact.erasedAt }) };
    const current = await this.contacts.current(this.pool, customerId);
    if (current.status === 'erased') return { status: 'erased' };
    return {
      status: 'ok',
      customerId,
      contact: current.status === 'on-file' ? current.contact : null,
      profile: state.profile,
      reachableChannels: reachableChannels(state.profile),
    };
  }
}
