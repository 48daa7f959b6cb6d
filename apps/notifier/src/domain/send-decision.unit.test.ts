import { decideSend, type Reachability, type SendCheck } from './send-decision';

const everywhere: Reachability = { sms: { onFile: true, consent: true }, email: { onFile: true, consent: true }, letter: { onFile: true, consent: true } };
// Tuesday 2026-04-07 10:00 in Stockholm (CEST, UTC+2).
const tuesdayMorning = new Date('2026-04-07T08:00:00Z');

const base: SendCheck = {
  now: tuesdayMorning,
  channel: 'sms',
  fallbackChannels: ['email'],
  invoice: { status: 'open', balance: { minor: 12_345, currency: 'SEK' } },
  reachability: everywhere,
  recentContacts: [],
  rules: {
    timeZone: 'Europe/Stockholm',
    contactWindows: { weekdays: { from: '09:00', to: '19:00' }, saturday: { from: '10:00', to: '15:00' }, sunday: null },
    contactCap: { maxContacts: 2, perDays: 7 },
    unknownInvoiceRetryMs: 60_000,
  },
};

describe('send-time checks (decideSend)', () => {
  it('sends on the requested channel when everything holds', () => {
    expect(decideSend(base)).toEqual({ kind: 'send', channel: 'sms', fallbackUsed: false });
  });

  it.each(['settled', 'credited', 'disputed', 'payment-plan', 'handed-off'] as const)('promise 1: an invoice that is %s gets no message', (status) => {
    expect(decideSend({ ...base, invoice: { status, balance: { minor: 0, currency: 'SEK' } } })).toEqual({ kind: 'skip', reason: 'invoice-closed' });
  });

  it('promise 1: an open invoice credited down to zero gets no message', () => {
    expect(decideSend({ ...base, invoice: { status: 'open', balance: { minor: 0, currency: 'SEK' } } })).toEqual({ kind: 'skip', reason: 'invoice-closed' });
  });

  it('no consent for SMS: the fallback channel (e-mail) is used', () => {
    expect(decideSend({ ...base, reachability: { ...everywhere, sms: { onFile: true, consent: false } } })).toEqual({ kind: 'send', channel: 'email', fallbackUsed: true });
  });

  it('no consent anywhere it may go: skipped as no-consent; nothing on file: no-contact-on-file', () => {
    const noConsent = { onFile: true, consent: false };
    const nothing = { onFile: false, consent: true };
    expect(decideSend({ ...base, reachability: { ...everywhere, sms: noConsent, email: noConsent } })).toEqual({ kind: 'skip', reason: 'no-consent' });
    expect(decideSend({ ...base, reachability: { ...everywhere, sms: nothing, email: nothing } })).toEqual({ kind: 'skip', reason: 'no-contact-on-file' });
  });

  it('quiet hours in the customer\'s time zone: 20:30 in Stockholm waits until 09:00 the next morning', () => {
    const evening = new Date('2026-04-07T18:30:00Z');
    expect(decideSend({ ...base, now: evening })).toEqual({ kind: 'defer', until: new Date('2026-04-08T07:00:00Z'), reason: 'quiet-hours' });
  });

  it('no messages on Sundays: Saturday 16:00 waits until Monday 09:00', () => {
    const saturdayAfternoon = new Date('2026-04-11T14:00:00Z');
    expect(decideSend({ ...base, now: saturdayAfternoon })).toEqual({ kind: 'defer', until: new Date('2026-04-13T07:00:00Z'), reason: 'quiet-hours' });
  });

  it('letters are not held back by quiet hours (they go to the print provider)', () => {
    const night = new Date('2026-04-07T23:00:00Z');
    expect(decideSend({ ...base, now: night, channel: 'letter', fallbackChannels: [] })).toEqual({ kind: 'send', channel: 'letter', fallbackUsed: false });
  });

  it('the contact cap (2 in 7 days) defers until the older contact leaves the window', () => {
    const contacts = [new Date('2026-04-02T08:00:00Z'), new Date('2026-04-05T08:00:00Z')];
    const decision = decideSend({ ...base, recentContacts: contacts });
    expect(decision).toEqual({ kind: 'defer', until: new Date(new Date('2026-04-09T08:00:00Z').getTime() + 1), reason: 'contact-cap' });
  });

  it('the contact cap past the send window is a skip with reason', () => {
    const contacts = [new Date('2026-04-06T08:00:00Z'), new Date('2026-04-07T07:00:00Z')];
    const sendWindow = { notBefore: new Date('2026-04-07T00:00:00Z'), notAfter: new Date('2026-04-08T00:00:00Z') };
    expect(decideSend({ ...base, recentContacts: contacts, sendWindow })).toEqual({ kind: 'skip', reason: 'contact-cap-reached' });
  });

  it('a send window that has not begun defers; one that has passed skips', () => {
    const later = { notBefore: new Date('2026-04-08T07:00:00Z'), notAfter: new Date('2026-04-09T17:00:00Z') };
    expect(decideSend({ ...base, sendWindow: later })).toEqual({ kind: 'defer', until: later.notBefore, reason: 'not-before' });
    const past = { notBefore: new Date('2026-04-01T07:00:00Z'), notAfter: new Date('2026-04-02T17:00:00Z') };
    expect(decideSend({ ...base, sendWindow: past })).toEqual({ kind: 'skip', reason: 'send-window-passed' });
  });

  it('an invoice the notifier has not seen yet: ask again shortly', () => {
    expect(decideSend({ ...base, invoice: undefined })).toEqual({ kind: 'defer', until: new Date(tuesdayMorning.getTime() + 60_000), reason: 'invoice-unknown' });
  });
});
