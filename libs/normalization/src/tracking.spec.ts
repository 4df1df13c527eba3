import type { FieldValue } from './lead-fields';
import { normalizeTracking } from './tracking';

function trackingOf(values: Record<string, unknown>) {
  return normalizeTracking((field): FieldValue | undefined =>
    field in values ? { value: values[field], source: field } : undefined,
  );
}

describe('normalizeTracking', () => {
  it('reads every tracking field', () => {
    expect(
      trackingOf({
        source: 'Facebook',
        subsource: 'ad-12',
        utmSource: 'fb',
        utmMedium: 'cpc',
        utmCampaign: 'spring',
        utmTerm: 'solar panels',
        utmContent: 'v2',
        campaignId: 123,
        landingPageUrl: 'solar.example.com/lp',
        ip: '2001:db8::1',
        userAgent: 'Mozilla/5.0',
      }),
    ).toEqual({
      tracking: {
        source: 'Facebook',
        subsource: 'ad-12',
        utmSource: 'fb',
        utmMedium: 'cpc',
        utmCampaign: 'spring',
        utmTerm: 'solar panels',
        utmContent: 'v2',
        campaignId: '123',
        landingPageUrl: 'https://solar.example.com/lp',
        ip: '2001:db8::1',
        userAgent: 'Mozilla/5.0',
      },
      warnings: [],
    });
  });

  it('is all null when nothing was sent', () => {
    const { tracking, warnings } = trackingOf({});
    expect(Object.values(tracking).every((value) => value === null)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('drops what it cannot use with a warning, never an error', () => {
    const { tracking, warnings } = trackingOf({
      source: 'x'.repeat(2001),
      utmSource: 'x'.repeat(2000),
      landingPageUrl: 'not a url',
      ip: 'localhost',
      userAgent: 'u'.repeat(501),
      campaignId: { id: 1 },
    });
    expect(tracking).toMatchObject({
      source: null,
      landingPageUrl: null,
      ip: null,
      userAgent: null,
      campaignId: null,
    });
    expect(tracking.utmSource).toHaveLength(2000);
    expect(warnings.map((w) => [w.field, w.rule])).toEqual([
      ['source', 'too_long'],
      ['campaignId', 'type'],
      ['landingPageUrl', 'url_invalid'],
      ['ip', 'ip_invalid'],
      ['userAgent', 'too_long'],
    ]);
  });

  it('keeps a user agent of exactly 500 characters', () => {
    expect(trackingOf({ userAgent: 'u'.repeat(500) }).tracking.userAgent).toHaveLength(500);
  });
});
