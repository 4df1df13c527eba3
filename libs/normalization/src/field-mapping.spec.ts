import {
  FieldTransforms,
  applyTransforms,
  mappingEntries,
  matchColumns,
  pathSegments,
  resolvePath,
  validateFieldMapping,
} from './field-mapping';

describe('validateFieldMapping', () => {
  it('accepts canonical targets and rules with known transforms', () => {
    expect(
      validateFieldMapping({
        FName: 'firstName',
        'lead.contact.cell': 'phone',
        Name: { field: 'fullName', transforms: ['trim', 'split_full_name'] },
        Bill: { field: 'monthlyElectricBill', transforms: ['parse_money'] },
        Agreed: { field: 'consent.granted', transforms: ['yes_no'] },
        Born: { field: 'dateOfBirth' },
      }),
    ).toEqual([]);
    expect(validateFieldMapping(undefined)).toEqual([]);
    expect(validateFieldMapping({})).toEqual([]);
  });

  it('refuses what is not an object', () => {
    for (const mapping of ['firstName', 42, ['a'], true]) {
      expect(validateFieldMapping(mapping)).toEqual([
        expect.objectContaining({ field: 'fieldMapping', rule: 'type' }),
      ]);
    }
  });

  it('names the offending key in each issue', () => {
    const issues = validateFieldMapping({
      FName: 'firstname',
      '': 'phone',
      '  ': 'phone',
      [`k${'x'.repeat(200)}`]: 'phone',
      'a.__proto__.b': 'phone',
      Phone: 'telephone_number',
      Zip: { field: 'zip', transforms: ['lower', 'rot13'] },
      Bad: { transforms: ['trim'] },
      Typo: { field: 'zip', transform: ['trim'] },
      Nested: { field: 'zip', transforms: 'trim' },
      Num: 7,
      City: { field: 'city', transforms: ['split_full_name'] },
      Weird: { field: 'zip', transforms: [5] },
    });
    expect(issues).toEqual([
      expect.objectContaining({ field: 'fieldMapping.FName', rule: 'unknown_field' }),
      expect.objectContaining({ field: 'fieldMapping.', rule: 'required' }),
      expect.objectContaining({ field: 'fieldMapping.  ', rule: 'required' }),
      expect.objectContaining({ field: `fieldMapping.k${'x'.repeat(200)}`, rule: 'max_length' }),
      expect.objectContaining({ field: 'fieldMapping.a.__proto__.b', rule: 'unsafe_key' }),
      expect.objectContaining({ field: 'fieldMapping.Phone', rule: 'unknown_field' }),
      expect.objectContaining({ field: 'fieldMapping.Zip', rule: 'unknown_transform' }),
      expect.objectContaining({ field: 'fieldMapping.Bad', rule: 'required' }),
      expect.objectContaining({ field: 'fieldMapping.Typo', rule: 'unknown_property' }),
      expect.objectContaining({ field: 'fieldMapping.Nested', rule: 'type' }),
      expect.objectContaining({ field: 'fieldMapping.Num', rule: 'type' }),
      expect.objectContaining({ field: 'fieldMapping.City', rule: 'transform_mismatch' }),
      expect.objectContaining({ field: 'fieldMapping.Weird', rule: 'unknown_transform' }),
    ]);
    expect(issues[0]?.message).toContain('did you mean firstName?');
  });

  it('accepts a key of exactly 200 characters', () => {
    expect(validateFieldMapping({ ['k'.repeat(200)]: 'phone' })).toEqual([]);
  });

  it('refuses more than 500 entries', () => {
    const mapping = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`f${i}`, 'phone']));
    expect(validateFieldMapping(mapping)).toEqual([expect.objectContaining({ rule: 'max_entries' })]);
  });

  it('is never fooled by a __proto__ key parsed from JSON', () => {
    const mapping: unknown = JSON.parse('{"__proto__": "phone", "ok": "email"}');
    expect(validateFieldMapping(mapping)).toEqual([
      expect.objectContaining({ field: 'fieldMapping.__proto__', rule: 'unsafe_key' }),
    ]);
  });
});

describe('mappingEntries', () => {
  it('keeps usable entries, routes split_full_name to fullName and reports the rest', () => {
    const { entries, issues } = mappingEntries({
      FName: 'firstName',
      Name: { field: 'firstName', transforms: ['split_full_name'] },
      Nope: 'nope',
    });
    expect(entries).toEqual([
      { key: 'FName', field: 'firstName', transforms: [] },
      { key: 'Name', field: 'fullName', transforms: ['split_full_name'] },
    ]);
    expect(issues).toEqual([
      expect.objectContaining({ field: 'fieldMapping.Nope', rule: 'mapping_ignored' }),
    ]);
    expect(mappingEntries(null)).toEqual({ entries: [], issues: [] });
  });
});

describe('resolvePath', () => {
  const body = {
    'lead.contact.cell': 'flat',
    lead: { contact: { cell: '555-123-4567', Home_Phone: '555-000-1111' }, phones: ['a', 'b'] },
    FName: 'John',
  };

  it('prefers an exact top-level key, even one with dots', () => {
    expect(resolvePath(body, 'lead.contact.cell')).toEqual({ value: 'flat', path: ['lead.contact.cell'] });
  });

  it('walks dotted and bracketed paths, case- and separator-insensitively', () => {
    const nested = { lead: body.lead };
    expect(resolvePath(nested, 'lead.contact.cell')).toEqual({
      value: '555-123-4567',
      path: ['lead', 'contact', 'cell'],
    });
    expect(resolvePath(nested, 'lead[contact][cell]')).toEqual({
      value: '555-123-4567',
      path: ['lead', 'contact', 'cell'],
    });
    expect(resolvePath(nested, 'Lead.Contact.home-phone')).toEqual({
      value: '555-000-1111',
      path: ['lead', 'contact', 'Home_Phone'],
    });
    expect(resolvePath(body, 'fname')).toEqual({ value: 'John', path: ['FName'] });
  });

  it('reads list items by index and uses the whole list', () => {
    expect(resolvePath(body, 'lead.phones.1')).toEqual({ value: 'b', path: ['lead', 'phones'] });
    expect(resolvePath(body, 'lead.phones.x')).toBeUndefined();
  });

  it('finds nothing through missing keys, scalars or unsafe keys', () => {
    expect(resolvePath(body, 'lead.nothing.cell')).toBeUndefined();
    expect(resolvePath(body, 'FName.length')).toBeUndefined();
    expect(resolvePath(body, 'lead.__proto__')).toBeUndefined();
    expect(resolvePath(body, 'constructor')).toBeUndefined();
    expect(resolvePath(body, 'toString')).toBeUndefined();
  });

  it('splits paths', () => {
    expect(pathSegments('a.b[c][0]')).toEqual(['a', 'b', 'c', '0']);
  });
});

describe('applyTransforms', () => {
  it('applies each transform in order', () => {
    expect(applyTransforms('  MiXeD ', ['trim', 'lower'])).toEqual({ value: 'mixed', failed: [] });
    expect(applyTransforms('ca', ['upper'])).toEqual({ value: 'CA', failed: [] });
    expect(applyTransforms('01/15/2024', ['parse_date'])).toEqual({ value: '2024-01-15', failed: [] });
    expect(applyTransforms('$1,250.50', ['parse_money'])).toEqual({ value: '1250.50', failed: [] });
    expect(applyTransforms('Checked', ['yes_no'])).toEqual({ value: true, failed: [] });
    expect(applyTransforms('John Public', ['split_full_name'])).toEqual({ value: 'John Public', failed: [] });
    expect(applyTransforms(['', 'Yes'], ['yes_no'])).toEqual({ value: true, failed: [] });
  });

  it('leaves a value it cannot transform as it was and says which transform failed', () => {
    expect(applyTransforms('soon', ['parse_date'])).toEqual({ value: 'soon', failed: ['parse_date'] });
    expect(applyTransforms('1.2k', ['parse_money'])).toEqual({ value: '1.2k', failed: ['parse_money'] });
    expect(applyTransforms('maybe', ['yes_no'])).toEqual({ value: 'maybe', failed: ['yes_no'] });
    expect(applyTransforms({ a: 1 }, ['trim'])).toEqual({ value: { a: 1 }, failed: [] });
  });

  it('knows exactly the documented transforms', () => {
    expect(FieldTransforms).toEqual([
      'trim',
      'lower',
      'upper',
      'split_full_name',
      'parse_date',
      'parse_money',
      'yes_no',
    ]);
  });
});

describe('matchColumns', () => {
  it('matches CSV headers through the aliases of every vertical', () => {
    expect(
      matchColumns([
        '\ufeffFirst Name',
        'LAST_NAME',
        'Phone Number',
        'E-mail',
        'Zip Code',
        'Roof Age',
        'System Type',
        'Notes',
      ]),
    ).toEqual({
      '\ufeffFirst Name': 'firstName',
      LAST_NAME: 'lastName',
      'Phone Number': 'phone',
      'E-mail': 'email',
      'Zip Code': 'zip',
      'Roof Age': 'roofAge',
      'System Type': 'systemType',
      Notes: null,
    });
  });

  it('lets the mapping override the aliases', () => {
    expect(matchColumns(['Cell', 'Phone', 'Agent'], { Cell: 'phone', agent: 'subsource' })).toEqual({
      Cell: 'phone',
      Phone: null,
      Agent: 'subsource',
    });
    expect(matchColumns(['Name'], { Name: { field: 'fullName', transforms: ['split_full_name'] } })).toEqual({
      Name: 'fullName',
    });
  });

  it('gives a field to one column only: the better-ranked spelling, else the first', () => {
    expect(matchColumns(['Cell', 'Phone', 'Mobile'])).toEqual({ Cell: null, Phone: 'phone', Mobile: null });
    expect(matchColumns(['Email', 'email'])).toEqual({ Email: 'email', email: null });
    expect(matchColumns(['zip', 'zip'])).toEqual({ zip: 'zip' });
  });

  it('handles empty and odd headers', () => {
    expect(matchColumns([])).toEqual({});
    expect(matchColumns(['', '   ', '???', '__proto__'])).toEqual({
      '': null,
      '   ': null,
      '???': null,
      ['__proto__']: null,
    });
  });
});
