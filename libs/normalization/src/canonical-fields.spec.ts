import { Verticals } from '@leadflow/contracts';
import {
  AllAliases,
  CanonicalFields,
  ConsentObjectAliases,
  MaxCachedFieldKeys,
  aliasTableFor,
  cachedFieldKeyCount,
  fieldKey,
  listedAliases,
} from './canonical-fields';
import { VerticalDefinitions } from './verticals';

describe('canonical fields', () => {
  it('lists the core fields, consent.*, tracking and every vertical field once', () => {
    expect(CanonicalFields.slice(0, 11)).toEqual([
      'firstName',
      'lastName',
      'fullName',
      'phone',
      'email',
      'address',
      'address2',
      'city',
      'state',
      'zip',
      'externalId',
    ]);
    expect(CanonicalFields).toEqual(
      expect.arrayContaining([
        'consent.granted',
        'consent.trustedFormCertUrl',
        'consent.jornayaLeadId',
        'utmSource',
        'landingPageUrl',
        'userAgent',
        'monthlyElectricBill',
        'systemType',
        'dateOfBirth',
        'yearBuilt',
        'projectType',
        'employeeCount',
        'propertyType',
        'homeowner',
      ]),
    );
    expect(new Set(CanonicalFields).size).toBe(CanonicalFields.length);
  });

  it('never gives one vendor spelling two meanings, across all verticals', () => {
    const meaning = new Map<string, string>();
    for (const { field, alias } of listedAliases()) {
      const key = fieldKey(alias);
      expect(key).not.toBe('');
      const earlier = meaning.get(key);
      if (earlier !== undefined) expect(`${alias} → ${field}`).toBe(`${alias} → ${earlier}`);
      meaning.set(key, field);
    }
  });

  it.each([
    ['first_name', 'firstName'],
    ['FirstName', 'firstName'],
    ['fname', 'firstName'],
    ['First Name', 'firstName'],
    ['zip_code', 'zip'],
    ['postal_code', 'zip'],
    ['zipcode', 'zip'],
    ['lead_id', 'externalId'],
    ['phone_number', 'phone'],
    ['cell', 'phone'],
    ['mobile', 'phone'],
    ['home_phone', 'phone'],
    ['email_address', 'email'],
    ['street', 'address'],
    ['address1', 'address'],
    ['ip_address', 'ip'],
    ['trusted_form_cert_url', 'consent.trustedFormCertUrl'],
    ['xxTrustedFormCertUrl', 'consent.trustedFormCertUrl'],
    ['jornaya_lead_id', 'consent.jornayaLeadId'],
    ['leadid_token', 'consent.jornayaLeadId'],
    ['universal_lead_id', 'consent.jornayaLeadId'],
    ['tcpa_consent', 'consent.granted'],
    ['consent', 'consent.granted'],
    ['utm_source', 'utmSource'],
    ['UTM-Campaign', 'utmCampaign'],
    ['monthly_electric_bill', 'monthlyElectricBill'],
    ['electric_bill', 'monthlyElectricBill'],
    ['roof_age', 'roofAge'],
    ['name', 'fullName'],
    ['consent.granted', 'consent.granted'],
  ])('knows %s as %s', (vendor, field) => {
    expect(AllAliases.get(fieldKey(vendor))?.field).toBe(field);
  });

  it('ranks the canonical name before its aliases', () => {
    expect(AllAliases.get('phone')?.rank).toBe(0);
    expect(AllAliases.get('phonenumber')?.rank).toBeLessThan(AllAliases.get('cell')?.rank ?? 0);
  });

  it("gives each vertical's table only that vertical's fields", () => {
    const solar = aliasTableFor(VerticalDefinitions.solar);
    expect(solar.get('roofage')?.field).toBe('roofAge');
    expect(solar.get('systemtype')).toBeUndefined();
    for (const vertical of Verticals)
      expect(aliasTableFor(VerticalDefinitions[vertical]).get('email')?.field).toBe('email');
  });

  it('reads short keys inside a consent object', () => {
    expect(ConsentObjectAliases.get('granted')?.field).toBe('consent.granted');
    expect(ConsentObjectAliases.get('pageurl')?.field).toBe('consent.pageUrl');
    expect(ConsentObjectAliases.get('trustedformcerturl')?.field).toBe('consent.trustedFormCertUrl');
    expect(ConsentObjectAliases.get('timestamp')?.field).toBe('consent.timestamp');
  });
});

describe('fieldKey', () => {
  /** What fieldKey computes, without its cache or its ASCII shortcut. */
  const reference = (name: string) =>
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  const names = [
    'first_name',
    'First Name',
    'FIRST-NAME',
    ' Zip Code ',
    'e-mail',
    'Lead ID',
    'lead.contact.cell',
    'lead[contact][cell]',
    '__proto__',
    'constructor',
    'toString',
    '',
    ' ',
    '...',
    'Ｆｉｒｓｔ＿Ｎａｍｅ', // full-width
    'fírst_námé', // accents
    'ﬁrst name', // ligature
    'e\u200bmail', // zero-width space
    'ZIP\u0000',
    'city\ud800', // lone surrogate
    'İd', // dotted capital I
    '\u212aelvin', // Kelvin sign
    'ᴱmail',
    'Ⅻ roman',
    '²nd phone',
    'straße',
    'ΑΒΓ',
    '電話',
    '😀 phone',
    'x'.repeat(101), // longer than the cache takes
  ];

  it('gives the same key from the cache as when first computed', () => {
    for (const name of names) {
      const expected = reference(name);
      expect([name, fieldKey(name)]).toEqual([name, expected]);
      expect([name, fieldKey(name)]).toEqual([name, expected]);
    }
  });

  it('holds a bounded number of names, however many unique keys arrive', () => {
    let largest = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 2.5 * MaxCachedFieldKeys; i++) {
      const name = `Vendor Field ${i}`;
      if (fieldKey(name) !== `vendorfield${i}`) wrong.push(name);
      largest = Math.max(largest, cachedFieldKeyCount());
    }
    expect(wrong).toEqual([]);
    expect(largest).toBe(MaxCachedFieldKeys);
    for (const name of names) expect(fieldKey(name)).toBe(reference(name));
  });
});
