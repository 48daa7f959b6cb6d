import { createHash } from 'node:crypto';
import { parseApiKeys, verifyApiKey } from './api-keys';

describe('API keys from configuration', () => {
  const secret = 'a-long-enough-secret-key';

  it('reads the compact form, with and without names, and keeps only hashes', () => {
    const keys = parseApiKeys(`billing=${secret}:write,${secret}-2:read+admin`);
    expect(keys.map((key) => [key.name, [...key.scopes]])).toEqual([
      ['billing', ['write']],
      ['key-2', ['read', 'admin']],
    ]);
    expect(JSON.stringify(keys)).not.toContain(secret);
  });

  it('reads the JSON form, including keys configured by their SHA-256 only', () => {
    const hash = createHash('sha256').update(secret).digest('hex');
    const keys = parseApiKeys(JSON.stringify([{ name: 'ops', sha256: hash, scopes: ['read', 'admin'] }]));
    expect(verifyApiKey(keys, secret)?.name).toBe('ops');
  });

  it('verifies a presented key against every configured one', () => {
    const keys = parseApiKeys(`a=${secret}-a:read,b=${secret}-b:write`);
    expect(verifyApiKey(keys, `${secret}-b`)?.name).toBe('b');
    expect(verifyApiKey(keys, `${secret}-c`)).toBeUndefined();
    expect(verifyApiKey([], secret)).toBeUndefined();
  });

  it.each([
    ['an unknown scope', `${secret}:superuser`, /unknown scope 'superuser'/],
    ['a short key', 'short:read', /at least 16 characters/],
    ['no scope part', secret, /key:scope/],
    ['a duplicate name', `x=${secret}:read,x=${secret}-2:read`, /unique/],
    ['a bad hash', 'x=sha256/abc:read', /64 hex/],
  ])('refuses %s', (_label, raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(message);
  });

  it('has no keys when none are configured (every route then answers 401)', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
  });
});
