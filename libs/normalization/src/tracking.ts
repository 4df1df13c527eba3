import type { TrackingField } from './canonical-fields';
import type { FieldIssue } from './field-issue';
import { describeField, fieldIssue } from './field-issue';
import type { FieldValue } from './lead-fields';
import { fieldText } from './lead-fields';
import type { NormalizedTracking } from './normalized-lead';
import { cleanText } from './scalar-value';
import { normalizeIp, normalizeWebUrl } from './urls-and-ips';

export const MaxTrackingLength = 2000;
export const MaxUserAgentLength = 500;

/**
 * Where the lead came from. Tracking never refuses a lead: a value that cannot be used (too
 * long, not a URL, not an IP address, an object) is dropped with a warning.
 */
export function normalizeTracking(get: (field: TrackingField) => FieldValue | undefined): {
  tracking: NormalizedTracking;
  warnings: FieldIssue[];
} {
  const warnings: FieldIssue[] = [];
  const read = (field: TrackingField, parse: (text: string) => string | null, rule: string, what: string) => {
    const text = fieldText(get(field));
    if (text.kind === 'absent') return null;
    const value = text.kind === 'text' ? parse(text.text) : null;
    if (value === null) {
      const problem = text.kind === 'invalid' ? `must be a single value, not ${text.found}` : what;
      warnings.push(
        fieldIssue(
          field,
          text.kind === 'invalid' ? 'type' : rule,
          `${describeField(field, text.source)} ${problem}; ignored`,
        ),
      );
    }
    return value;
  };
  const plain = (field: TrackingField, max = MaxTrackingLength) =>
    read(
      field,
      (text) => (text.length <= max ? cleanText(text) : null),
      'too_long',
      `is longer than ${max} characters`,
    );

  return {
    tracking: {
      source: plain('source'),
      subsource: plain('subsource'),
      utmSource: plain('utmSource'),
      utmMedium: plain('utmMedium'),
      utmCampaign: plain('utmCampaign'),
      utmTerm: plain('utmTerm'),
      utmContent: plain('utmContent'),
      campaignId: plain('campaignId'),
      landingPageUrl: read(
        'landingPageUrl',
        (text) => normalizeWebUrl(text, { allowBareDomain: true }),
        'url_invalid',
        'is not an http(s) URL',
      ),
      ip: read('ip', normalizeIp, 'ip_invalid', 'is not an IPv4 or IPv6 address'),
      userAgent: plain('userAgent', MaxUserAgentLength),
    },
    warnings,
  };
}
