import { DateTime } from 'luxon';
import { PolicyTypes, ageOn, insuranceVertical } from './insurance';
import { validateVertical } from './vertical-field';

const now = DateTime.fromISO('2025-06-15T12:00:00Z', { zone: 'utc' });

function check(field: string, value: unknown, at = now): { value: unknown } | { rule: string } {
  const result = validateVertical(insuranceVertical, new Map([[field, { value, source: field }]]), {
    now: at,
  });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('insurance', () => {
  it('has the documented fields', () => {
    expect(insuranceVertical.fields.map((f) => f.name)).toEqual([
      'policyType',
      'coverageAmount',
      'currentPremium',
      'claimsHistory',
      'dateOfBirth',
    ]);
  });

  it('policyType: every value and common words', () => {
    for (const value of PolicyTypes) expect(check('policyType', value)).toEqual({ value });
    expect(check('policyType', 'Car')).toEqual({ value: 'auto' });
    expect(check('policyType', "Homeowner's")).toEqual({ value: 'home' });
    expect(check('policyType', 'Term Life')).toEqual({ value: 'life' });
    expect(check('policyType', 'Medicare Supplement')).toEqual({ value: 'medicare' });
    expect(check('policyType', 'pet')).toEqual({ rule: 'enum' });
  });

  it.each<[unknown, unknown]>([
    ['0', { value: '0.00' }],
    ['100,000,000', { value: '100000000.00' }],
    ['$250,000', { value: '250000.00' }],
    ['100000000.01', { rule: 'range' }],
    ['-1', { rule: 'range' }],
    ['a lot', { rule: 'type' }],
  ])('coverageAmount %s → %j', (raw, expected) => {
    expect(check('coverageAmount', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    ['0', { value: '0.00' }],
    ['1000000', { value: '1000000.00' }],
    ['$129.99', { value: '129.99' }],
    ['1000000.01', { rule: 'range' }],
    ['-0.01', { rule: 'range' }],
  ])('currentPremium %s → %j', (raw, expected) => {
    expect(check('currentPremium', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    ['0', { value: 0 }],
    ['none', { value: 0 }],
    ['None', { value: 0 }],
    ['No', { value: 0 }],
    ['no claims', { value: 0 }],
    [50, { value: 50 }],
    ['2 claims', { value: 2 }],
    ['51', { rule: 'range' }],
    ['-1', { rule: 'range' }],
    ['yes', { rule: 'type' }],
    ['some', { rule: 'type' }],
  ])('claimsHistory %s → %j', (raw, expected) => {
    expect(check('claimsHistory', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    ['2007-06-15', { value: '2007-06-15' }], // 18 today
    ['06/15/2007', { value: '2007-06-15' }],
    ['2007-06-16', { rule: 'range' }], // 18 tomorrow
    ['1904-06-16', { value: '1904-06-16' }], // 120 until tomorrow
    ['1904-06-15', { rule: 'range' }], // 121 today
    ['1980-01-31T00:00:00Z', { value: '1980-01-31' }],
    [19800131, { value: '1980-01-31' }],
    ['2030-01-01', { rule: 'range' }],
    ['31/01/1980', { rule: 'type' }],
    ['soon', { rule: 'type' }],
  ])('dateOfBirth %s → %j', (raw, expected) => {
    expect(check('dateOfBirth', raw)).toEqual(expected);
  });

  it('counts ages on calendar dates, leap days included', () => {
    const birth = DateTime.fromISO('2004-02-29', { zone: 'utc' });
    expect(ageOn(birth, DateTime.fromISO('2022-02-28', { zone: 'utc' }))).toBe(17);
    expect(ageOn(birth, DateTime.fromISO('2022-03-01', { zone: 'utc' }))).toBe(18);
  });
});
