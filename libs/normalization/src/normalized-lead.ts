import type { Vertical } from '@leadflow/contracts';
import type { CountryCode } from 'libphonenumber-js/max';
import type { FieldIssue } from './field-issue';
import type { FieldMapping } from './field-mapping';

export interface IntakeSettings {
  vertical: Vertical;
  fieldMapping: FieldMapping;
  requireConsent: boolean;
  /** Region national phone numbers are read in; default `US`. */
  defaultRegion?: CountryCode;
}

export interface NormalizedConsent {
  granted: boolean;
  text: string | null;
  /** ISO 8601, UTC. */
  timestamp: string | null;
  ip: string | null;
  pageUrl: string | null;
  trustedFormCertUrl: string | null;
  jornayaLeadId: string | null;
}

export interface NormalizedTracking {
  source: string | null;
  subsource: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  campaignId: string | null;
  landingPageUrl: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface NormalizedLead {
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  /** E.164. */
  phone: string | null;
  email: string | null;
  address: string | null;
  address2: string | null;
  city: string | null;
  /** 2-letter USPS code. */
  state: string | null;
  /** `12345` or `12345-6789`. */
  zip: string | null;
  /** Null when the vendor sent no consent information at all. */
  consent: NormalizedConsent | null;
  contactable: { phone: boolean; sms: boolean; email: boolean };
  tracking: NormalizedTracking;
  /** The vertical's validated, typed fields that were sent (camelCase) and `extra`: unknown vendor fields as sent. */
  attributes: Record<string, unknown>;
}

export type NormalizationResult =
  { ok: true; lead: NormalizedLead; warnings: FieldIssue[] } | { ok: false; errors: FieldIssue[] };
