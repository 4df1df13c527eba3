import { Verticals } from '@leadflow/contracts';
import fc from 'fast-check';
import { StateCodes } from './address';
import type { FieldMapping, IntakeSettings, NormalizationResult } from './index';
import { CanonicalFields, FieldTransforms, normalizeLead } from './index';

/** Keys vendors really send, so that generated bodies reach deep into the normalizers. */
const plausibleKeys = [
  'first_name',
  'LastName',
  'name',
  'full_name',
  'phone',
  'cell',
  'Phone Number',
  'email',
  'email_address',
  'address',
  'street',
  'city',
  'state',
  'zip',
  'zip_code',
  'lead_id',
  'consent',
  'tcpa_consent',
  'trusted_form_cert_url',
  'leadid_token',
  'consent_timestamp',
  'utm_source',
  'landing_page',
  'ip_address',
  'user_agent',
  'monthly_electric_bill',
  'roof_age',
  'shade',
  'homeowner',
  'system_type',
  'urgency',
  'date_of_birth',
  'claims',
  'bedrooms',
  'bathrooms',
  'year_built',
  'project_type',
  'timeframe',
  'company',
  'website',
  'employees',
  'lead',
  'contact',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

const plausibleValues = fc.oneof(
  fc.constantFrom(
    '(555) 123-4567',
    '+1 555 123 4567',
    '(212) 555-0123',
    '1-900-555-1234',
    'john@example.com',
    'JOHN',
    'Public, John Q.',
    'California',
    'ca',
    '2134',
    '12345-6789',
    '$1,250.50',
    '1.2k',
    'yes',
    'no',
    'checked',
    '01/15/2024',
    '2024-01-15T10:00:00Z',
    '1705312800',
    'https://cert.trustedform.com/2605ec3b3d0b5e3e1f1d7d25b56a0e0b1c1b0a9f',
    'Needs Replacement',
    '11-50',
    'acme.com',
    'N/A',
    '',
    ' ',
    '\u0000',
    '\u200d',
    '𝒥𝑜𝒽𝓃',
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
);

const keys = fc.oneof(fc.constantFrom(...plausibleKeys), fc.string());

const anything = fc.anything({
  maxDepth: 6,
  withBigInt: true,
  withBoxedValues: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withDate: true,
  withMap: true,
  withSet: true,
  key: keys,
});

const mixedBody = fc.dictionary(
  keys,
  fc.oneof(plausibleValues, anything, fc.dictionary(keys, plausibleValues)),
  {
    maxKeys: 30,
  },
);

const mapping: fc.Arbitrary<FieldMapping> = fc.dictionary(
  keys,
  fc.oneof(
    fc.constantFrom(...CanonicalFields),
    fc.record({
      field: fc.constantFrom(...CanonicalFields),
      transforms: fc.array(fc.constantFrom(...FieldTransforms), { maxLength: 3 }),
    }),
  ),
  { maxKeys: 5 },
);

const settings: fc.Arbitrary<IntakeSettings> = fc.record({
  vertical: fc.constantFrom(...Verticals),
  fieldMapping: fc.oneof(fc.constant({}), mapping),
  requireConsent: fc.boolean(),
  defaultRegion: fc.constantFrom(undefined, 'US', 'CA', 'GB'),
});

function assertWellFormed(result: NormalizationResult): void {
  expect(typeof result.ok).toBe('boolean');
  const issues = result.ok ? result.warnings : result.errors;
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(typeof issue.field).toBe('string');
    expect(issue.field.length).toBeGreaterThan(0);
    expect(typeof issue.rule).toBe('string');
    expect(issue.rule.length).toBeGreaterThan(0);
    expect(issue.rule).not.toBe('unprocessable'); // the safety net never had to catch anything
    expect(typeof issue.message).toBe('string');
  }
  if (result.ok) {
    const { lead } = result;
    if (lead.phone !== null) expect(lead.phone).toMatch(/^\+[1-9]\d{6,14}$/);
    if (lead.zip !== null) expect(lead.zip).toMatch(/^\d{5}(-\d{4})?$/);
    if (lead.state !== null) expect(StateCodes).toContain(lead.state);
    expect(lead.phone !== null || lead.email !== null).toBe(true);
    expect(lead.attributes).toHaveProperty('extra');
    expect(() => JSON.stringify(result)).not.toThrow();
  }
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
}

describe('normalizeLead on arbitrary input', () => {
  it('never throws on any value at all', () => {
    fc.assert(
      fc.property(anything, settings, (body, intake) => {
        assertWellFormed(normalizeLead(body, intake));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on objects mixing plausible fields with random keys and values', () => {
    fc.assert(
      fc.property(mixedBody, settings, (body, intake) => {
        assertWellFormed(normalizeLead(body, intake));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on a CSV row of strings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(keys, fc.oneof(plausibleValues.map(String), fc.string())),
        settings,
        (row, intake) => {
          assertWellFormed(normalizeLead(row, intake));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
