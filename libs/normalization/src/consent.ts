import type { ConsentField } from './canonical-fields';
import { ConsentFields } from './canonical-fields';
import type { FieldIssue } from './field-issue';
import { describeField, fieldIssue } from './field-issue';
import type { FieldText, FieldValue } from './lead-fields';
import { fieldText } from './lead-fields';
import { parseDate, parseYesNo, toInstant } from './money-and-dates';
import type { NormalizedConsent } from './normalized-lead';
import { cleanText } from './scalar-value';
import {
  normalizeIp,
  normalizeJornayaLeadId,
  normalizeTrustedFormCertUrl,
  normalizeWebUrl,
} from './urls-and-ips';

export const MaxConsentTextLength = 10_000;

/**
 * The consent a vendor sent, or null when it sent none. `granted` is true only for an
 * explicit yes (yes/y/true/1/on/x/checked): a TrustedForm certificate or a Jornaya token alone
 * is evidence of a form, not consent. Evidence that cannot be read is dropped with a warning,
 * never a reason to refuse the lead.
 */
export function normalizeConsent(get: (field: ConsentField) => FieldValue | undefined): {
  consent: NormalizedConsent | null;
  warnings: FieldIssue[];
} {
  const texts = new Map(ConsentFields.map((field) => [field, fieldText(get(field))] as const));
  if ([...texts.values()].every((text) => text.kind === 'absent')) return { consent: null, warnings: [] };
  const warnings: FieldIssue[] = [];
  const read = <T>(
    field: ConsentField,
    parse: (text: string, raw: string | number | boolean) => T | null,
    rule: string,
    what: string,
  ): T | null => {
    const text = texts.get(field) ?? { kind: 'absent' };
    const value = readValue(text, parse);
    if (value === null && text.kind !== 'absent') {
      warnings.push(fieldIssue(field, rule, `${describeField(field, text.source)} ${what}; ignored`));
    }
    return value;
  };

  const granted = read(
    'consent.granted',
    (_text, raw) => parseYesNo(raw),
    'consent_unreadable',
    'is not yes or no',
  );
  const consent: NormalizedConsent = {
    granted: granted === true,
    text: read(
      'consent.text',
      (text) => (text.length <= MaxConsentTextLength ? cleanText(text) : null),
      'too_long',
      `is empty or longer than ${MaxConsentTextLength} characters`,
    ),
    timestamp: read(
      'consent.timestamp',
      (_text, raw) => {
        const parsed = typeof raw === 'boolean' ? null : parseDate(raw);
        return parsed === null ? null : toInstant(parsed);
      },
      'date_invalid',
      'is not a date or time',
    ),
    ip: read('consent.ip', normalizeIp, 'ip_invalid', 'is not an IP address'),
    pageUrl: read(
      'consent.pageUrl',
      (text) => normalizeWebUrl(text, { allowBareDomain: true }),
      'url_invalid',
      'is not an http(s) URL',
    ),
    trustedFormCertUrl: read(
      'consent.trustedFormCertUrl',
      normalizeTrustedFormCertUrl,
      'trusted_form_invalid',
      'is not an https://cert.trustedform.com/ certificate URL',
    ),
    jornayaLeadId: read(
      'consent.jornayaLeadId',
      normalizeJornayaLeadId,
      'jornaya_invalid',
      'is not a Jornaya LeadiD token',
    ),
  };
  return { consent, warnings };
}

function readValue<T>(
  text: FieldText,
  parse: (text: string, raw: string | number | boolean) => T | null,
): T | null {
  return text.kind === 'text' ? parse(text.text, text.raw) : null;
}

/** The error when the webhook requires consent and the lead does not carry it. */
export function consentRequiredIssue(consent: NormalizedConsent | null): FieldIssue | null {
  if (consent?.granted === true) return null;
  const message =
    consent === null
      ? 'consent is required: send consent.granted = true (or tcpa_consent = yes) with the lead'
      : 'consent is required: consent.granted must be yes/true (a certificate or token alone is not consent)';
  return fieldIssue('consent.granted', 'consent_required', message);
}
