import { normalizePhone, resolveRegion } from './phone';

describe('normalizePhone', () => {
  it.each([
    '(555) 123-4567',
    '555.123.4567',
    '+1 555 123 4567',
    '15551234567',
    '555-123-4567',
    '5551234567',
    '1-555-123-4567',
    '+1 (555) 123-4567',
    ' 555 123 4567 ',
    '555/123-4567',
    '(+1) 555-123-4567',
    '５５５-１２３-４５６７',
  ])('reads %s as +15551234567', (raw) => {
    expect(normalizePhone(raw)).toEqual({ ok: true, e164: '+15551234567', extension: null });
  });

  it.each([
    ['tel: 555-123-4567', null],
    ['tel:+1-555-123-4567', null],
    ['Phone: (555) 123-4567', null],
    ['555-123-4567 x89', '89'],
    ['555-123-4567 ext. 1234', '1234'],
    ['555-123-4567 extension 12', '12'],
    ['555-123-4567;ext=7', '7'],
    ['555-123-4567 #22', '22'],
    ['5551234567x3', '3'],
  ])('forgives labels and extensions: %s', (raw, extension) => {
    expect(normalizePhone(raw)).toEqual({ ok: true, e164: '+15551234567', extension });
  });

  it('accepts real structurally valid NANP numbers, toll-free included', () => {
    expect(normalizePhone('(212) 456-7890')).toMatchObject({ ok: true, e164: '+12124567890' });
    expect(normalizePhone('800-356-9377')).toMatchObject({ ok: true, e164: '+18003569377' });
    expect(normalizePhone('212 555 0200')).toMatchObject({ ok: true, e164: '+12125550200' });
    expect(normalizePhone('212 555 0099')).toMatchObject({ ok: true, e164: '+12125550099' });
  });

  it.each([
    'abc',
    'call me',
    '555-CALL-NOW',
    '---',
    '+',
    '(',
    '555-123-4567 or 555-765-4321 please',
    'x'.repeat(500),
  ])('refuses garbage %s as phone_invalid', (raw) => {
    expect(normalizePhone(raw)).toMatchObject({ ok: false, rule: 'phone_invalid' });
  });

  it.each([
    ['123-456-7890', 'area code starting with 1'],
    ['(023) 456-7890', 'area code starting with 0'],
    ['(911) 456-7890', 'N11 area code'],
    ['(411) 456-7890', 'N11 area code'],
    ['(212) 123-4567', 'exchange starting with 1'],
    ['(212) 011-4567', 'exchange starting with 0'],
    ['(212) 911-4567', 'N11 exchange'],
    ['(555) 911-4567', 'N11 exchange under 555'],
  ])('refuses %s (%s) as phone_invalid', (raw) => {
    expect(normalizePhone(raw)).toMatchObject({ ok: false, rule: 'phone_invalid' });
  });

  it.each([
    '555-1234',
    '123',
    '55512345678',
    '25551234567',
    '555123456789',
    '+1 555 123 456',
    '+1 555 123 45678',
  ])('refuses %s as phone_length', (raw) => {
    expect(normalizePhone(raw)).toMatchObject({ ok: false, rule: 'phone_length' });
  });

  it.each(['(212) 555-0123', '212-555-0100', '212.555.0199', '+1 555 555 0150'])(
    'refuses fictional %s',
    (raw) => {
      expect(normalizePhone(raw)).toMatchObject({ ok: false, rule: 'phone_fictional' });
    },
  );

  it.each(['1-900-555-1234', '900-234-5678', '+1 900 234 5678'])('refuses premium-rate %s', (raw) => {
    expect(normalizePhone(raw)).toMatchObject({ ok: false, rule: 'phone_premium' });
  });

  it('reads + numbers of other countries with libphonenumber', () => {
    expect(normalizePhone('+44 20 7946 0123')).toMatchObject({ ok: true, e164: '+442079460123' });
    expect(normalizePhone('011 44 7911 123456')).toMatchObject({ ok: true, e164: '+447911123456' });
    expect(normalizePhone('+44 909 876 5432')).toMatchObject({ ok: false, rule: 'phone_premium' });
    expect(normalizePhone('+33 1')).toMatchObject({ ok: false, rule: 'phone_length' });
    expect(normalizePhone('+33 1234 5678 9012 34')).toMatchObject({ ok: false, rule: 'phone_length' });
    expect(normalizePhone('+44 00 0000 0000')).toMatchObject({ ok: false });
  });

  it('reads national numbers in the default region', () => {
    expect(normalizePhone('020 7946 0123', 'GB')).toMatchObject({ ok: true, e164: '+442079460123' });
    expect(normalizePhone('07911 123456', 'GB')).toMatchObject({ ok: true, e164: '+447911123456' });
    expect(normalizePhone('+1 555 123 4567', 'GB')).toMatchObject({ ok: true, e164: '+15551234567' });
    expect(normalizePhone('(416) 555-0250', 'CA')).toMatchObject({ ok: true, e164: '+14165550250' });
  });
});

describe('resolveRegion', () => {
  it('keeps a known region and falls back to US', () => {
    expect(resolveRegion('gb')).toBe('GB');
    expect(resolveRegion('CA')).toBe('CA');
    expect(resolveRegion('XX')).toBe('US');
    expect(resolveRegion(undefined)).toBe('US');
    expect(resolveRegion(42)).toBe('US');
  });
});
