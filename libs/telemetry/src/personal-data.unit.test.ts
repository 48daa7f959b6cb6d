import { containsContactData, isPersonalDataKey, REDACTED, redactPersonalData, scrubText } from './personal-data';

const CANARY = {
  name: 'Astrid Canarysson',
  email: 'astrid.canary@example.se',
  phone: '+46701234567',
  street: 'Kanarievägen 7',
};

function issuedEvent(): Record<string, unknown> {
  return {
    invoiceId: 'inv-1',
    customerId: 'cus-42',
    amount: { minor: 19900, currency: 'SEK' },
    customer: {
      name: CANARY.name,
      email: CANARY.email,
      phone: CANARY.phone,
      postalAddress: { street: CANARY.street, postalCode: '12345', city: 'Kanarieby' },
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      type: 'consumer',
    },
  };
}

function expectNoCanary(output: string): void {
  for (const value of [...Object.values(CANARY), 'Kanarieby']) expect(output).not.toContain(value);
}

describe('redactPersonalData', () => {
  it('replaces every contact field of a nested customer and keeps the rest', () => {
    const redacted = redactPersonalData(issuedEvent()) as Record<string, unknown>;

    expectNoCanary(JSON.stringify(redacted));
    expect(redacted).toEqual({
      invoiceId: 'inv-1',
      customerId: 'cus-42',
      amount: { minor: 19900, currency: 'SEK' },
      customer: {
        name: REDACTED,
        email: REDACTED,
        phone: REDACTED,
        postalAddress: REDACTED,
        locale: 'sv-SE',
        timeZone: 'Europe/Stockholm',
        type: 'consumer',
      },
    });
  });

  it('matches keys whatever their case or separators', () => {
    for (const key of ['Name', 'first_name', 'E-Mail', 'emailAddress', 'phone_number', 'MSISDN', 'postal_address', 'Address']) {
      expect(isPersonalDataKey(key)).toBe(true);
    }
    for (const key of ['serviceName', 'invoiceId', 'customerId', 'topic', 'locale', 'type']) {
      expect(isPersonalDataKey(key)).toBe(false);
    }
  });

  it('does not modify its input', () => {
    const event = issuedEvent();
    const before = JSON.stringify(event);
    redactPersonalData(event);
    expect(JSON.stringify(event)).toBe(before);
  });

  it('scrubs errors, their causes and arrays, and survives cycles', () => {
    const cause = new Error(`SMTP rejected ${CANARY.email}`);
    const error = new Error(`could not reach ${CANARY.phone}`, { cause });
    const cyclic: Record<string, unknown> = { recipients: [CANARY.email, 'x'], error };
    cyclic['self'] = cyclic;

    const output = JSON.stringify(redactPersonalData(cyclic));

    expectNoCanary(output);
    expect(output).toContain('could not reach [phone]');
    expect(output).toContain('SMTP rejected [email]');
    expect(output).toContain('[circular]');
  });

  it('reduces binary payloads to their size', () => {
    const output = JSON.stringify(redactPersonalData({ value: Buffer.from(JSON.stringify(issuedEvent())) }));
    expectNoCanary(output);
    expect(output).toMatch(/\[binary \d+ bytes\]/);
  });
});

describe('scrubText', () => {
  it('replaces e-mail addresses and E.164 phone numbers in free text', () => {
    expect(scrubText(`mail ${CANARY.email} or call ${CANARY.phone} about inv-1`)).toBe('mail [email] or call [phone] about inv-1');
    expect(scrubText('call +46 70-123 45 67 today')).toBe('call [phone] today');
  });

  it('leaves ids, amounts, dates and offsets alone', () => {
    const text = 'invoice inv-2024-000123 of 19900 SEK due 2025-03-31T00:00:00+01:00, offset 1234567890';
    expect(scrubText(text)).toBe(text);
    expect(containsContactData(text)).toBe(false);
  });

  it('redacts a JSON payload held in a string field by field', () => {
    const output = scrubText(JSON.stringify(issuedEvent()));
    expectNoCanary(output);
    expect(JSON.parse(output)).toMatchObject({ invoiceId: 'inv-1', customer: { name: REDACTED, locale: 'sv-SE' } });
  });

  it('recognises contact data for the guards', () => {
    expect(containsContactData(`to ${CANARY.email}`)).toBe(true);
    expect(containsContactData(CANARY.phone)).toBe(true);
    expect(containsContactData('cus-42')).toBe(false);
  });
});
