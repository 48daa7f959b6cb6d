import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy probe value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? calls : undefined), { intervalMs: 1 });
    expect(value).toBe(3);
  });

  it('fails with the description when the deadline passes', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, description: 'the moon' })).rejects.toThrow(/the moon/);
  });
});
