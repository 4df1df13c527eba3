import type { IntakeSettings, NormalizationResult, NormalizedLead } from './index';
import { normalizeLead } from './index';

const solar: IntakeSettings = { vertical: 'solar', fieldMapping: {}, requireConsent: false };
const generic: IntakeSettings = { vertical: 'generic', fieldMapping: {}, requireConsent: false };
const cert = 'https://cert.trustedform.com/2605ec3b3d0b5e3e1f1d7d25b56a0e0b1c1b0a9f';

function accepted(result: NormalizationResult): NormalizedLead {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.lead;
}

function refusals(result: NormalizationResult): Array<[string, string]> {
  return result.ok ? [] : result.errors.map((error) => [error.field, error.rule]);
}

describe('normalizeLead', () => {
  it('turns a messy JSON solar lead into a canonical one', () => {
    const result = normalizeLead(
      {
        lead_id: 'V-77',
        FirstName: 'JOHN',
        last_name: "o'neil",
        phone_number: '(555) 123-4567',
        Email_Address: ' John@Example.COM ',
        address1: '1 Main St',
        City: 'SAN DIEGO',
        State: 'California',
        zip_code: '2134',
        tcpa_consent: 'Yes',
        xxTrustedFormCertUrl: cert,
        leadid_token: 'ABCDEF12-3456-7890-ABCD-EF1234567890',
        consent_timestamp: '2024-01-15T10:00:00-05:00',
        utm_source: 'google',
        utm_campaign: 'spring',
        landing_page: 'solar.example.com/quote',
        ip_address: '203.0.113.7',
        user_agent: 'Mozilla/5.0',
        monthly_electric_bill: '$185.50',
        roof_age: '12',
        roof_condition: 'Good',
        shade: 'none',
        homeowner: 'yes',
        property_type: 'single family',
        utility_company: 'SDG&E',
        favorite_color: 'green',
      },
      solar,
    );
    expect(result).toEqual({
      ok: true,
      warnings: [],
      lead: {
        externalId: 'V-77',
        firstName: 'John',
        lastName: "O'Neil",
        phone: '+15551234567',
        email: 'john@example.com',
        address: '1 Main St',
        address2: null,
        city: 'San Diego',
        state: 'CA',
        zip: '02134',
        consent: {
          granted: true,
          text: null,
          timestamp: '2024-01-15T15:00:00.000Z',
          ip: null,
          pageUrl: null,
          trustedFormCertUrl: cert,
          jornayaLeadId: 'ABCDEF12-3456-7890-ABCD-EF1234567890',
        },
        contactable: { phone: true, sms: true, email: true },
        tracking: {
          source: null,
          subsource: null,
          utmSource: 'google',
          utmMedium: null,
          utmCampaign: 'spring',
          utmTerm: null,
          utmContent: null,
          campaignId: null,
          landingPageUrl: 'https://solar.example.com/quote',
          ip: '203.0.113.7',
          userAgent: 'Mozilla/5.0',
        },
        attributes: {
          monthlyElectricBill: '185.50',
          homeowner: true,
          roofCondition: 'good',
          roofAge: 12,
          shadeCoverage: 'none',
          utility: 'SDG&E',
          propertyType: 'single_family',
          extra: { favorite_color: 'green' },
        },
      },
    });
  });

  it('reads a form-encoded post: repeated fields, bracketed objects, a mapping into them', () => {
    // What express.urlencoded({ extended: true }) makes of
    // lead[contact][cell]=555.123.4567&lead[contact][name]=Ann+Lee&email=a@x.co&email=b@x.co&consent[granted]=on&hvac[system_type]=Heat+Pump
    const body = {
      lead: { contact: { cell: '555.123.4567', name: 'Ann Lee' } },
      email: ['a@x.co', 'b@x.co'],
      consent: { granted: 'on', page_url: 'https://hvac.example.com' },
      hvac: { system_type: 'Heat Pump', urgency: 'ASAP' },
    };
    const lead = accepted(
      normalizeLead(body, {
        vertical: 'hvac',
        fieldMapping: { 'lead.contact.cell': 'phone', 'lead.contact.name': 'fullName' },
        requireConsent: true,
      }),
    );
    expect(lead).toMatchObject({
      firstName: 'Ann',
      lastName: 'Lee',
      phone: '+15551234567',
      email: 'a@x.co',
      consent: { granted: true, pageUrl: 'https://hvac.example.com' },
      contactable: { phone: true, sms: true, email: true },
      attributes: { systemType: 'heat_pump', urgency: 'emergency', extra: {} },
    });
  });

  it('reads a CSV row, where every value is a string', () => {
    const row = {
      'First Name': 'mary',
      'Last Name': 'SMITH',
      Phone: '555-123-4567',
      Email: '',
      'Zip Code': '07030',
      State: 'nj',
      'Date of Birth': '01/31/1980',
      'Policy Type': 'Car',
      'Current Premium': '$129.99',
      Claims: 'None',
      Notes: 'call after 5',
    };
    const lead = accepted(
      normalizeLead(row, { vertical: 'insurance', fieldMapping: {}, requireConsent: false }),
    );
    expect(lead).toMatchObject({
      firstName: 'Mary',
      lastName: 'Smith',
      phone: '+15551234567',
      email: null,
      zip: '07030',
      state: 'NJ',
      consent: null,
      contactable: { phone: false, sms: false, email: false },
      attributes: {
        dateOfBirth: '1980-01-31',
        policyType: 'auto',
        currentPremium: '129.99',
        claimsHistory: 0,
        extra: { Notes: 'call after 5' },
      },
    });
    expect(lead.attributes['extra']).not.toHaveProperty('Email');
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    [[{ phone: '5551234567' }], 'a list'],
    ['phone=5551234567', 'a string'],
    [42, 'a number'],
    [undefined, 'a undefined'],
  ])('refuses a body that is not an object: %p', (body, found) => {
    expect(normalizeLead(body, solar)).toEqual({
      ok: false,
      errors: [
        { field: 'body', rule: 'type', message: `the lead must be an object of fields, not ${found}` },
      ],
    });
  });

  it('needs a phone or an email', () => {
    expect(refusals(normalizeLead({}, generic))).toEqual([['phone', 'contact_required']]);
    expect(refusals(normalizeLead({ first_name: 'Ann', phone: 'N/A' }, generic))).toEqual([
      ['phone', 'contact_required'],
    ]);
    expect(accepted(normalizeLead({ email: 'ann@example.com' }, generic)).phone).toBeNull();
  });

  it('refuses every bad field at once', () => {
    const result = normalizeLead(
      {
        phone: '1-900-555-1234',
        email: 'nope',
        state: 'Ontario',
        zip: 'K1A',
        roof_age: '200',
        shade: 'dappled',
      },
      { ...solar, requireConsent: true },
    );
    expect(refusals(result)).toEqual([
      ['phone', 'phone_premium'],
      ['email', 'email_invalid'],
      ['state', 'state_invalid'],
      ['zip', 'zip_invalid'],
      ['roofAge', 'range'],
      ['shadeCoverage', 'enum'],
      ['consent.granted', 'consent_required'],
    ]);
  });

  it('refuses the fictional and malformed phones the spec lists', () => {
    expect(refusals(normalizeLead({ phone: '(212) 555-0123' }, generic))).toEqual([
      ['phone', 'phone_fictional'],
    ]);
    expect(refusals(normalizeLead({ phone: '555-1234', email: 'a@b.co' }, generic))).toEqual([
      ['phone', 'phone_length'],
    ]);
    expect(refusals(normalizeLead({ phone: 'call me', email: 'a@b.co' }, generic))).toEqual([
      ['phone', 'phone_invalid'],
    ]);
  });

  describe('consent', () => {
    it('is required only when the webhook says so', () => {
      expect(refusals(normalizeLead({ phone: '5551234567' }, { ...generic, requireConsent: true }))).toEqual([
        ['consent.granted', 'consent_required'],
      ]);
      expect(normalizeLead({ phone: '5551234567' }, generic).ok).toBe(true);
    });

    it('is not granted by a certificate alone', () => {
      const body = { phone: '5551234567', trusted_form_cert_url: cert };
      expect(refusals(normalizeLead(body, { ...generic, requireConsent: true }))).toEqual([
        ['consent.granted', 'consent_required'],
      ]);
      const lead = accepted(normalizeLead(body, generic));
      expect(lead.consent).toMatchObject({ granted: false, trustedFormCertUrl: cert });
      expect(lead.contactable).toEqual({ phone: false, sms: false, email: false });
    });

    it('accepts a consent object and flat fields alike', () => {
      const settings = { ...generic, requireConsent: true };
      expect(
        accepted(normalizeLead({ phone: '5551234567', consent: { granted: true } }, settings)).consent
          ?.granted,
      ).toBe(true);
      expect(
        accepted(normalizeLead({ phone: '5551234567', consent: 'yes' }, settings)).consent?.granted,
      ).toBe(true);
      expect(
        accepted(normalizeLead({ phone: '5551234567', tcpa_consent: '1' }, settings)).consent?.granted,
      ).toBe(true);
    });

    it('makes the lead contactable by phone and SMS only with consent and a phone', () => {
      expect(accepted(normalizeLead({ email: 'a@b.co', consent: 'yes' }, generic)).contactable).toEqual({
        phone: false,
        sms: false,
        email: true,
      });
    });
  });

  describe('field mapping', () => {
    it('maps vendor names and dotted paths, with transforms', () => {
      const lead = accepted(
        normalizeLead(
          {
            FName: 'ann',
            Who: 'Lee, Ann',
            'lead.contact.cell': '5551234567',
            Opt: 'Checked',
            Bill: '$1,200',
          },
          {
            vertical: 'solar',
            fieldMapping: {
              FName: { field: 'firstName', transforms: ['upper'] },
              Who: { field: 'fullName', transforms: ['split_full_name'] },
              'lead.contact.cell': 'phone',
              Opt: { field: 'consent.granted', transforms: ['yes_no'] },
              Bill: { field: 'monthlyElectricBill', transforms: ['parse_money'] },
            },
            requireConsent: true,
          },
        ),
      );
      expect(lead).toMatchObject({
        firstName: 'Ann',
        lastName: 'Lee',
        phone: '+15551234567',
        consent: { granted: true },
        attributes: { monthlyElectricBill: '1200.00', extra: {} },
      });
    });

    it('ignores bad entries of a stored mapping with a warning', () => {
      const result = normalizeLead(
        { phone: '5551234567', X: 'y' },
        { ...generic, fieldMapping: { X: 'notAField' } as IntakeSettings['fieldMapping'] },
      );
      expect(result).toMatchObject({
        ok: true,
        warnings: [expect.objectContaining({ field: 'fieldMapping.X', rule: 'mapping_ignored' })],
      });
    });
  });

  it("keeps another vertical's fields in extra", () => {
    const lead = accepted(
      normalizeLead({ phone: '5551234567', roof_age: '10', system_type: 'boiler' }, generic),
    );
    expect(lead.attributes).toEqual({ extra: { roof_age: '10', system_type: 'boiler' } });
  });

  it('requires company for b2b', () => {
    expect(refusals(normalizeLead({ email: 'a@acme.com' }, { ...generic, vertical: 'b2b' }))).toEqual([
      ['company', 'required'],
    ]);
    const lead = accepted(
      normalizeLead(
        { email: 'a@acme.com', company_name: 'Acme', website: 'acme.com', employees: '11-50' },
        { ...generic, vertical: 'b2b' },
      ),
    );
    expect(lead.attributes).toEqual({
      company: 'Acme',
      website: 'https://acme.com',
      employeeCount: { min: 11, max: 50 },
      extra: {},
    });
  });

  it('reads national numbers in the configured region', () => {
    expect(
      accepted(normalizeLead({ phone: '020 7946 0123' }, { ...generic, defaultRegion: 'GB' })).phone,
    ).toBe('+442079460123');
  });

  it('reports tracking and consent problems as warnings on an accepted lead', () => {
    const result = normalizeLead(
      { phone: '5551234567', ip: 'nope', landing_page_url: 'nope', consent_ip: 'nope' },
      generic,
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings.map((w) => [w.field, w.rule])).toEqual([
      ['consent.ip', 'ip_invalid'],
      ['landingPageUrl', 'url_invalid'],
      ['ip', 'ip_invalid'],
    ]);
  });

  it('never lets a body pollute prototypes', () => {
    const body: unknown = JSON.parse(
      '{"phone":"5551234567","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"x":{"__proto__":{"polluted":"yes"}}}',
    );
    const result = normalizeLead(body, generic);
    const lead = accepted(result);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(lead.attributes['extra']).toEqual({ x: {} });
    expect(result.ok && result.warnings).toEqual([
      expect.objectContaining({ field: 'body', rule: 'unsafe_key' }),
    ]);
  });

  it('stays fast and safe on huge values', () => {
    const huge = '5'.repeat(1_000_000);
    const started = Date.now();
    expect(refusals(normalizeLead({ phone: huge, first_name: huge, note: huge }, generic))).toEqual([
      ['firstName', 'max_length'],
      ['phone', 'phone_invalid'],
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads an unknown vertical setting as generic', () => {
    const settings = { ...generic, vertical: 'crypto' } as unknown as IntakeSettings;
    expect(accepted(normalizeLead({ phone: '5551234567', roof_age: '1' }, settings)).attributes).toEqual({
      extra: { roof_age: '1' },
    });
  });
});
