import { DateTime } from 'luxon';
import { b2bVertical, parseEmployeeCount } from './b2b';
import { validateVertical } from './vertical-field';

function check(field: string, value: unknown): { value: unknown } | { rule: string } {
  const inputs = new Map([
    ['company', { value: 'Acme', source: 'company' }],
    [field, { value, source: field }],
  ]);
  const result = validateVertical(b2bVertical, inputs, { now: DateTime.utc() });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('b2b', () => {
  it('has the documented fields and requires company', () => {
    expect(b2bVertical.fields.map((f) => f.name)).toEqual([
      'company',
      'title',
      'website',
      'employeeCount',
      'industry',
    ]);
    expect(validateVertical(b2bVertical, new Map(), { now: DateTime.utc() }).errors).toEqual([
      { field: 'company', rule: 'required', message: 'company is required' },
    ]);
  });

  it('company: up to 200 characters', () => {
    expect(check('company', ' Acme  Corp ')).toEqual({ value: 'Acme Corp' });
    expect(check('company', 'c'.repeat(200))).toEqual({ value: 'c'.repeat(200) });
    expect(check('company', 'c'.repeat(201))).toEqual({ rule: 'range' });
  });

  it.each<[unknown, unknown]>([
    ['acme.com', { value: 'https://acme.com' }],
    ['www.acme.com', { value: 'https://www.acme.com' }],
    ['http://acme.com/about', { value: 'http://acme.com/about' }],
    ['https://acme.io', { value: 'https://acme.io' }],
    ['acme', { rule: 'type' }],
    ['ftp://acme.com', { rule: 'type' }],
    ['not a website', { rule: 'type' }],
    [42, { rule: 'type' }],
  ])('website %s → %j', (raw, expected) => {
    expect(check('website', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    ['1', { value: 1 }],
    [250, { value: 250 }],
    ['1,200', { value: 1200 }],
    ['11-50', { value: { min: 11, max: 50 } }],
    ['11 - 50 employees', { value: { min: 11, max: 50 } }],
    ['51 to 200', { value: { min: 51, max: 200 } }],
    ['10,001+', { value: { min: 10001, max: null } }],
    ['500 or more', { value: { min: 500, max: null } }],
    ['0', { rule: 'range' }],
    ['0-10', { rule: 'range' }],
    ['50-11', { rule: 'range' }],
    ['10000001', { rule: 'range' }],
    ['a few', { rule: 'type' }],
    ['2.5', { rule: 'type' }],
  ])('employeeCount %s → %j', (raw, expected) => {
    expect(check('employeeCount', raw)).toEqual(expected);
  });

  it('title and industry are text up to 200 characters', () => {
    expect(check('title', 'VP Sales')).toEqual({ value: 'VP Sales' });
    expect(check('title', 't'.repeat(201))).toEqual({ rule: 'range' });
    expect(check('industry', 'SaaS')).toEqual({ value: 'SaaS' });
    expect(check('industry', 'i'.repeat(201))).toEqual({ rule: 'range' });
  });

  it('parseEmployeeCount reads only numbers and text', () => {
    expect(parseEmployeeCount(true)).toBeNull();
    expect(parseEmployeeCount(1.5)).toBeNull();
    expect(parseEmployeeCount('x'.repeat(100))).toBeNull();
  });
});
