import { consentRequiredIssue, normalizeConsent } from './consent';
import type { FieldValue } from './lead-fields';

function consentOf(values: Record<string, unknown>) {
  return normalizeConsent((field): FieldValue | undefined =>
    field in values ? { value: values[field], source: field } : undefined,
  );
}

const cert = 'https://cert.trustedform.com/2605ec3b3d0b5e3e1f1d7d25b56a0e0b1c1b0a9f';

describe('normalizeConsent', () => {
  it('is null when the vendor sent no consent information', () => {
    expect(consentOf({})).toEqual({ consent: null, warnings: [] });
    expect(consentOf({ 'consent.granted': '' })).toEqual({ consent: null, warnings: [] });
  });

  it('reads every consent field', () => {
    expect(
      consentOf({
        'consent.granted': 'Checked',
        'consent.text': '  By clicking   Submit I agree  ',
        'consent.timestamp': '01/15/2024 10:30 AM',
        'consent.ip': '203.0.113.7',
        'consent.pageUrl': 'https://solar.example.com/quote',
        'consent.trustedFormCertUrl': cert,
        'consent.jornayaLeadId': 'ABCDEF12-3456-7890-ABCD-EF1234567890',
      }),
    ).toEqual({
      consent: {
        granted: true,
        text: 'By clicking Submit I agree',
        timestamp: '2024-01-15T10:30:00.000Z',
        ip: '203.0.113.7',
        pageUrl: 'https://solar.example.com/quote',
        trustedFormCertUrl: cert,
        jornayaLeadId: 'ABCDEF12-3456-7890-ABCD-EF1234567890',
      },
      warnings: [],
    });
  });

  it.each<[unknown, boolean]>([
    ['yes', true],
    [true, true],
    [1, true],
    ['on', true],
    ['x', true],
    ['no', false],
    [false, false],
    ['0', false],
    ['off', false],
  ])('reads granted %s as %s', (granted, expected) => {
    expect(consentOf({ 'consent.granted': granted }).consent?.granted).toBe(expected);
  });

  it('does not treat a certificate alone as consent', () => {
    const { consent, warnings } = consentOf({ 'consent.trustedFormCertUrl': cert });
    expect(consent).toMatchObject({ granted: false, trustedFormCertUrl: cert });
    expect(warnings).toEqual([]);
  });

  it('drops unreadable evidence with a warning instead of refusing the lead', () => {
    const { consent, warnings } = consentOf({
      'consent.granted': 'I guess',
      'consent.timestamp': 'yesterday',
      'consent.ip': '999.1.1.1',
      'consent.pageUrl': 'javascript:alert(1)',
      'consent.trustedFormCertUrl': 'http://cert.trustedform.com/abc',
      'consent.jornayaLeadId': '<x>',
      'consent.text': 'x'.repeat(10_001),
    });
    expect(consent).toEqual({
      granted: false,
      text: null,
      timestamp: null,
      ip: null,
      pageUrl: null,
      trustedFormCertUrl: null,
      jornayaLeadId: null,
    });
    expect(warnings.map((w) => [w.field, w.rule])).toEqual([
      ['consent.granted', 'consent_unreadable'],
      ['consent.text', 'too_long'],
      ['consent.timestamp', 'date_invalid'],
      ['consent.ip', 'ip_invalid'],
      ['consent.pageUrl', 'url_invalid'],
      ['consent.trustedFormCertUrl', 'trusted_form_invalid'],
      ['consent.jornayaLeadId', 'jornaya_invalid'],
    ]);
  });

  it('keeps a date-only consent timestamp as the start of that UTC day', () => {
    expect(consentOf({ 'consent.granted': 'y', 'consent.timestamp': '2024-01-15' }).consent?.timestamp).toBe(
      '2024-01-15T00:00:00.000Z',
    );
  });
});

describe('consentRequiredIssue', () => {
  it('requires an explicit grant', () => {
    expect(consentRequiredIssue(null)).toMatchObject({ field: 'consent.granted', rule: 'consent_required' });
    const base = {
      text: null,
      timestamp: null,
      ip: null,
      pageUrl: null,
      trustedFormCertUrl: cert,
      jornayaLeadId: null,
    };
    expect(consentRequiredIssue({ ...base, granted: false })).toMatchObject({ rule: 'consent_required' });
    expect(consentRequiredIssue({ ...base, granted: true })).toBeNull();
  });
});
