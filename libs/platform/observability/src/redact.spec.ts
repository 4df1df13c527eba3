import { REDACTED, redactPersonalData, redactText } from './redact';

describe('redactText', () => {
  it.each([
    ['call +1 (555) 123-4567 now', 'call [phone] now'],
    ['mail Jane.Doe+x@Example.co.uk', 'mail [email]'],
    ['5551234567', '[phone]'],
    ['lead 42 of 2026-11-23 took 120 ms', 'lead 42 of 2026-11-23 took 120 ms'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactPersonalData', () => {
  it('masks secret and personal keys at any depth and leaves ids and counts alone', () => {
    const input = {
      leadId: '0192f1d2-8c4e-7b3a-9f00-1234567890ab',
      count: 3,
      headers: { authorization: 'Bearer abc', 'x-request-id': 'r1' },
      body: { email: 'a@b.co', phone: '+15551234567', note: 'reach me at a@b.co', nested: [{ token: 't' }] },
    };
    expect(redactPersonalData(input)).toEqual({
      leadId: '0192f1d2-8c4e-7b3a-9f00-1234567890ab',
      count: 3,
      headers: { authorization: REDACTED, 'x-request-id': 'r1' },
      body: { email: REDACTED, phone: REDACTED, note: 'reach me at [email]', nested: [{ token: REDACTED }] },
    });
  });
});

describe('redactPersonalData on live objects', () => {
  it('leaves class instances (requests, errors) to their serializers instead of copying them', () => {
    class Live {
      email = 'x@example.com';
      self: Live = this;
    }
    const live = new Live();
    const error = new Error('boom');
    const out = redactPersonalData({ req: live, err: error, note: 'mail x@example.com' }) as Record<
      string,
      unknown
    >;
    expect(out.req).toBe(live);
    expect(out.err).toBe(error);
    expect(out.note).toBe('mail [email]');
  });
});
