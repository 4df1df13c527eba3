import { fieldText, findLeadFields, isUsed, markUsed } from './lead-fields';
import type { UsedKeys } from './lead-fields';
import { VerticalDefinitions } from './verticals';

const solar = VerticalDefinitions.solar;
const generic = VerticalDefinitions.generic;

function valuesOf(body: Record<string, unknown>, mapping: unknown = {}, definition = solar) {
  const found = findLeadFields(body, mapping, definition);
  return Object.fromEntries([...found.values].map(([field, { value }]) => [field, value]));
}

describe('findLeadFields', () => {
  it('finds aliases case- and separator-insensitively', () => {
    expect(
      valuesOf({
        'First Name': 'John',
        LAST_NAME: 'Smith',
        'e-mail': 'j@x.com',
        ZipCode: '90210',
        Roof_Age: '10',
      }),
    ).toEqual({ firstName: 'John', lastName: 'Smith', email: 'j@x.com', zip: '90210', roofAge: '10' });
  });

  it('puts the mapping first, then aliases', () => {
    const body = { phone: '555-000-0000', Cell: '555-123-4567', FName: 'Jo', first_name: 'Joe' };
    const found = findLeadFields(body, { Cell: 'phone', FName: 'firstName' }, generic);
    expect(found.values.get('phone')).toEqual({ value: '555-123-4567', source: 'Cell' });
    expect(found.values.get('firstName')).toEqual({ value: 'Jo', source: 'FName' });
    expect(found.used).toEqual(
      new Map([
        ['Cell', true],
        ['FName', true],
      ]),
    );
  });

  it('falls back to the aliases when the mapped key is absent or blank', () => {
    expect(valuesOf({ phone: '555-123-4567' }, { Cell: 'phone' }, generic)).toEqual({
      phone: '555-123-4567',
    });
    expect(valuesOf({ Cell: '', phone: '555-123-4567' }, { Cell: 'phone' }, generic)).toEqual({
      phone: '555-123-4567',
    });
  });

  it('prefers better-ranked aliases, and fills a blank one from the next', () => {
    expect(valuesOf({ mobile: 'm', phone_number: 'p', cell: 'c' }, {}, generic)).toEqual({ phone: 'p' });
    expect(valuesOf({ phone: ' ', cell: 'c' }, {}, generic)).toEqual({ phone: 'c' });
    const found = findLeadFields({ phone: ' ', cell: 'c', mobile: 'm' }, {}, generic);
    expect(found.used).toEqual(
      new Map([
        ['cell', true],
        ['phone', true],
      ]),
    ); // `mobile` stays for extra
  });

  it('applies mapping transforms and reports the ones that fail', () => {
    const found = findLeadFields(
      { Agreed: 'checked', When: 'soon' },
      {
        Agreed: { field: 'consent.granted', transforms: ['yes_no'] },
        When: { field: 'consent.timestamp', transforms: ['parse_date'] },
      },
      generic,
    );
    expect(found.values.get('consent.granted')?.value).toBe(true);
    expect(found.values.get('consent.timestamp')?.value).toBe('soon');
    expect(found.warnings).toEqual([
      expect.objectContaining({ field: 'consent.timestamp', rule: 'transform_failed' }),
    ]);
  });

  it('follows dotted mapping paths into nested objects', () => {
    const found = findLeadFields(
      { lead: { contact: { cell: '555-123-4567', note: 'hi' } } },
      { 'lead.contact.cell': 'phone' },
      generic,
    );
    expect(found.values.get('phone')).toEqual({ value: '555-123-4567', source: 'lead.contact.cell' });
    expect(isUsed(found.used, ['lead', 'contact', 'cell'])).toBe(true);
    expect(isUsed(found.used, ['lead', 'contact', 'note'])).toBe(false);
  });

  it("takes only the vertical's fields and warns about mapping to another vertical's", () => {
    expect(valuesOf({ roof_age: '10', system_type: 'furnace' })).toEqual({ roofAge: '10' });
    const found = findLeadFields({ Sys: 'furnace' }, { Sys: 'systemType' }, solar);
    expect(found.values.size).toBe(0);
    expect(found.warnings).toEqual([
      expect.objectContaining({ field: 'fieldMapping.Sys', rule: 'field_not_in_vertical' }),
    ]);
  });

  it('reads a consent object with short or snake_case keys', () => {
    expect(
      valuesOf(
        {
          consent: {
            granted: 'yes',
            text: 'I agree',
            timestamp: '2024-01-15',
            page_url: 'https://x.com',
            trusted_form_cert_url: 'u',
          },
        },
        {},
        generic,
      ),
    ).toEqual({
      'consent.granted': 'yes',
      'consent.text': 'I agree',
      'consent.timestamp': '2024-01-15',
      'consent.pageUrl': 'https://x.com',
      'consent.trustedFormCertUrl': 'u',
    });
    expect(valuesOf({ consent: 'yes' }, {}, generic)).toEqual({ 'consent.granted': 'yes' });
    expect(valuesOf({ tcpa: { agreed: true, ip: '1.2.3.4' } }, {}, generic)).toEqual({
      'consent.granted': true,
      'consent.ip': '1.2.3.4',
    });
  });

  it('searches container objects one level deep after the top level', () => {
    expect(
      valuesOf({
        email: 'top@x.com',
        contact: { first_name: 'Ann', email: 'inner@x.com' },
        address: { street: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' },
        name: { first: 'Nope', last: 'Lee' },
        solar: { monthly_bill: '150' },
        random: { phone: '555-123-4567' },
      }),
    ).toEqual({
      email: 'top@x.com',
      firstName: 'Ann',
      lastName: 'Lee',
      address: '1 Main St',
      city: 'Austin',
      state: 'TX',
      zip: '78701',
      monthlyElectricBill: '150',
    });
  });

  it('never reads unsafe keys', () => {
    const body = JSON.parse(
      '{"__proto__": {"phone": "555-123-4567"}, "constructor": "x", "email": "a@b.co"}',
    ) as Record<string, unknown>;
    expect(valuesOf(body, { '__proto__.phone': 'phone' }, generic)).toEqual({ email: 'a@b.co' });
  });

  it('ignores a mapping that is not an object', () => {
    expect(valuesOf({ phone: '1' }, 'nonsense', generic)).toEqual({ phone: '1' });
    expect(valuesOf({ phone: '1' }, null, generic)).toEqual({ phone: '1' });
  });
});

describe('used keys', () => {
  it('records paths as a tree and treats what is inside a used value as used', () => {
    const used: UsedKeys = new Map();
    markUsed(used, ['lead', 'contact', 'cell']);
    markUsed(used, ['lead', 'contact', 'cell', 'deeper']);
    markUsed(used, ['email']);
    expect(isUsed(used, ['lead', 'contact', 'cell'])).toBe(true);
    expect(isUsed(used, ['lead', 'contact', 'cell', 'x'])).toBe(true);
    expect(isUsed(used, ['lead', 'contact'])).toBe(false);
    expect(isUsed(used, ['email'])).toBe(true);
    expect(isUsed(used, ['phone'])).toBe(false);
    markUsed(used, ['lead']);
    expect(isUsed(used, ['lead', 'other'])).toBe(true);
  });
});

describe('fieldText', () => {
  it('spells values out and keeps where they came from', () => {
    expect(fieldText(undefined)).toEqual({ kind: 'absent' });
    expect(fieldText({ value: 90210, source: 'zip' })).toEqual({
      kind: 'text',
      text: '90210',
      raw: 90210,
      source: 'zip',
    });
    expect(fieldText({ value: { a: 1 }, source: 'zip' })).toEqual({
      kind: 'invalid',
      found: 'an object',
      source: 'zip',
    });
  });
});
