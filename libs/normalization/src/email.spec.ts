import { normalizeEmail } from './email';

describe('normalizeEmail', () => {
  it.each([
    [' John.Smith@Example.COM ', 'john.smith@example.com'],
    ['mailto:jane@example.org', 'jane@example.org'],
    ['<jane+leads@example.co.uk>', 'jane+leads@example.co.uk'],
    ['MARY_O@SUB.EXAMPLE.NET', 'mary_o@sub.example.net'],
  ])('normalizes %s', (raw, email) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, email });
  });

  it.each([
    'john',
    'john@',
    '@example.com',
    'john@example',
    'john smith@example.com',
    'john@@example.com',
    'n/a@',
  ])('refuses %s', (raw) => {
    expect(normalizeEmail(raw)).toMatchObject({ ok: false, rule: 'email_invalid' });
  });

  it('accepts 254 characters and refuses 255', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`; // 195 characters
    const at254 = `${'x'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(normalizeEmail(at254)).toMatchObject({ ok: true });
    expect(normalizeEmail(`x${at254}`)).toMatchObject({ ok: false, rule: 'email_invalid' });
    expect(normalizeEmail(`${'x'.repeat(5000)}@example.com`)).toMatchObject({
      ok: false,
      rule: 'email_invalid',
    });
  });
});
