import {
  normalizeIp,
  normalizeJornayaLeadId,
  normalizeTrustedFormCertUrl,
  normalizeWebUrl,
} from './urls-and-ips';

describe('normalizeWebUrl', () => {
  it('accepts http(s) URLs as sent', () => {
    expect(normalizeWebUrl(' https://solar.example.com/lp?utm=1 ', { allowBareDomain: false })).toBe(
      'https://solar.example.com/lp?utm=1',
    );
    expect(normalizeWebUrl('http://example.com', { allowBareDomain: false })).toBe('http://example.com');
  });

  it('reads bare domains as https only when allowed', () => {
    expect(normalizeWebUrl('acme.com', { allowBareDomain: true })).toBe('https://acme.com');
    expect(normalizeWebUrl('www.acme.com/contact', { allowBareDomain: true })).toBe(
      'https://www.acme.com/contact',
    );
    expect(normalizeWebUrl('acme.com', { allowBareDomain: false })).toBeNull();
  });

  it.each([
    'ftp://example.com',
    'javascript:alert(1)',
    'not a url',
    'https://',
    'acme',
    'http://localhost/x',
    '',
  ])('refuses %s', (raw) => {
    expect(normalizeWebUrl(raw, { allowBareDomain: true })).toBeNull();
  });

  it('refuses URLs over 2000 characters', () => {
    expect(normalizeWebUrl(`https://example.com/${'a'.repeat(2000)}`, { allowBareDomain: true })).toBeNull();
  });
});

describe('normalizeIp', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 2001:DB8::1 ', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['203.0.113.7, 10.0.0.1', '203.0.113.7'],
  ])('%s → %s', (raw, ip) => {
    expect(normalizeIp(raw)).toBe(ip);
  });

  it.each(['256.1.1.1', '1.2.3', 'localhost', 'abc', ''])('refuses %s', (raw) => {
    expect(normalizeIp(raw)).toBeNull();
  });
});

describe('normalizeTrustedFormCertUrl', () => {
  const id = '2605ec3b3d0b5e3e1f1d7d25b56a0e0b1c1b0a9f';

  it('accepts https certificate URLs and bare certificate ids', () => {
    expect(normalizeTrustedFormCertUrl(`https://cert.trustedform.com/${id}`)).toBe(
      `https://cert.trustedform.com/${id}`,
    );
    expect(normalizeTrustedFormCertUrl(id.toUpperCase())).toBe(`https://cert.trustedform.com/${id}`);
  });

  it.each([
    `http://cert.trustedform.com/${id}`,
    `https://ping.trustedform.com/${id}`,
    `https://cert.trustedform.com.evil.example/${id}`,
    'https://cert.trustedform.com/',
    'not a url',
  ])('refuses %s', (raw) => {
    expect(normalizeTrustedFormCertUrl(raw)).toBeNull();
  });
});

describe('normalizeJornayaLeadId', () => {
  it('accepts LeadiD tokens and refuses junk', () => {
    expect(normalizeJornayaLeadId(' ABCDEF12-3456-7890-ABCD-EF1234567890 ')).toBe(
      'ABCDEF12-3456-7890-ABCD-EF1234567890',
    );
    expect(normalizeJornayaLeadId('abc')).toBeNull();
    expect(normalizeJornayaLeadId('<script>alert(1)</script>')).toBeNull();
  });
});
