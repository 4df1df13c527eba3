import fc from 'fast-check';
import { MAX_REDACTED_LENGTH, REDACTED, redactPersonalData, redactText } from './redact';

describe('redactText', () => {
  it.each([
    ['call +1 (555) 123-4567 now', 'call [phone] now'],
    ['mail Jane.Doe+x@Example.co.uk', 'mail [email]'],
    ['5551234567', '[phone]'],
    ['lead 42 of 2026-11-23 took 120 ms', 'lead 42 of 2026-11-23 took 120 ms'],
    ['a@b.co, c@d.org and 555 123 4567', '[email], [email] and [phone]'],
    ['GET /api/v1/leads?q=jane%40example.com', 'GET /api/v1/leads?q=jane%40example.com'],
    ['x@y.com.z@w.org', '[email][email]'],
    ['id 0192f1d2-8c4e-7b3a-9f00-1234567890ab', 'id 0192f1d2-8c4e-7b3a-9f00-1234567890ab'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  // The patterns the finders replace, kept here as the definition of what is masked: on short
  // strings the single-pass finders must agree with them exactly.
  const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  const PHONE = /(?<![\w-])\+?\d(?:[\d ().-]{5,}\d)(?![\w-])/g;
  const byPatterns = (text: string) =>
    text.replace(EMAIL, '[email]').replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 10 ? '[phone]' : m));

  it('masks exactly what the e-mail and phone patterns match', () => {
    const alphabet = fc.constantFrom(...'aZ09 @.-+()_%x/,'.split(''), '12', '555', 'co', 'org', '@b.co');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(redactText(text)).toBe(byPatterns(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('cuts what it scans at MAX_REDACTED_LENGTH and says how much was left out', () => {
    const text = `${'a'.repeat(MAX_REDACTED_LENGTH - 4)} a@b.co ${'x'.repeat(100)}`;
    const out = redactText(text);
    expect(out.startsWith('a'.repeat(MAX_REDACTED_LENGTH - 4))).toBe(true);
    expect(out.endsWith(`…[${text.length - MAX_REDACTED_LENGTH} more characters]`)).toBe(true);
    expect(out).not.toContain('a@b.co');
  });

  // The shapes that made the backtracking patterns quadratic: long runs that start a match at
  // every position and fail only at the end. Work must grow linearly with the input: 16 times
  // the input may cost at most ~50 times the time (quadratic cost was ~250 times), and a
  // megabyte costs no more than the scanned cap.
  const adversarial = {
    'local-part run': (n: number) => 'a'.repeat(n),
    'phone-ish run': (n: number) => '(1-'.repeat(Math.ceil(n / 3)).slice(0, n),
    'spaced digits': (n: number) => '1 '.repeat(Math.ceil(n / 2)).slice(0, n - 1) + 'x',
    'at-signs': (n: number) => 'a@'.repeat(Math.ceil(n / 2)).slice(0, n),
    'dotted domain': (n: number) => `a@${'b.'.repeat(Math.ceil(n / 2))}`.slice(0, n),
  };
  const cost = (text: string) => {
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) redactText(text);
      best = Math.min(best, Number(process.hrtime.bigint() - started));
    }
    return best;
  };
  it.each(Object.entries(adversarial))('costs linear time on a %s', (_name, make) => {
    redactText(make(16_384)); // warm up the JIT on this shape
    const small = cost(make(1024));
    const large = cost(make(16_384));
    const huge = cost(make(1_048_576));
    expect(large / small).toBeLessThan(50);
    expect(huge / large).toBeLessThan(8);
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
