import { DateTime } from 'luxon';
import { RoofConditions, ShadeCoverages, solarVertical } from './solar';
import { validateVertical } from './vertical-field';

/** The typed value of one field, or the rule that refused it. */
function check(field: string, value: unknown): { value: unknown } | { rule: string } {
  const result = validateVertical(solarVertical, new Map([[field, { value, source: field }]]), {
    now: DateTime.utc(),
  });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('solar', () => {
  it('has the documented fields, all optional', () => {
    expect(solarVertical.fields.map((f) => f.name)).toEqual([
      'monthlyElectricBill',
      'homeowner',
      'roofCondition',
      'roofAge',
      'shadeCoverage',
      'utility',
      'propertyType',
    ]);
    expect(validateVertical(solarVertical, new Map(), { now: DateTime.utc() })).toEqual({
      attributes: [],
      errors: [],
    });
  });

  it.each<[unknown, unknown]>([
    ['0', { value: '0.00' }],
    ['100000', { value: '100000.00' }],
    ['$1,250.50', { value: '1250.50' }],
    [180, { value: '180.00' }],
    ['100000.01', { rule: 'range' }],
    ['-0.01', { rule: 'range' }],
    ['about 200', { rule: 'type' }],
    ['1.2k', { rule: 'type' }],
  ])('monthlyElectricBill %s → %j', (raw, expected) => {
    expect(check('monthlyElectricBill', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    ['yes', { value: true }],
    ['N', { value: false }],
    [true, { value: true }],
    ['Own', { value: true }],
    ['rent', { value: false }],
    ['maybe', { rule: 'type' }],
  ])('homeowner %s → %j', (raw, expected) => {
    expect(check('homeowner', raw)).toEqual(expected);
  });

  it.each<[unknown, unknown]>([
    [0, { value: 0 }],
    ['150', { value: 150 }],
    ['15 years', { value: 15 }],
    ['151', { rule: 'range' }],
    [-1, { rule: 'range' }],
    ['12.5', { rule: 'type' }],
    ['old', { rule: 'type' }],
  ])('roofAge %s → %j', (raw, expected) => {
    expect(check('roofAge', raw)).toEqual(expected);
  });

  it('roofCondition: every value and common words', () => {
    for (const value of RoofConditions) expect(check('roofCondition', value)).toEqual({ value });
    expect(check('roofCondition', 'Needs Replacement')).toEqual({ value: 'needs_replacement' });
    expect(check('roofCondition', 'NEEDS-REPLACEMENT')).toEqual({ value: 'needs_replacement' });
    expect(check('roofCondition', 'Average')).toEqual({ value: 'fair' });
    expect(check('roofCondition', 'leaky')).toEqual({ rule: 'enum' });
  });

  it('shadeCoverage: every value and common words', () => {
    for (const value of ShadeCoverages) expect(check('shadeCoverage', value)).toEqual({ value });
    expect(check('shadeCoverage', 'No Shade')).toEqual({ value: 'none' });
    expect(check('shadeCoverage', 'Partial Shade')).toEqual({ value: 'partial' });
    expect(check('shadeCoverage', 'fully shaded')).toEqual({ value: 'full' });
    expect(check('shadeCoverage', 'sunny-ish')).toEqual({ rule: 'enum' });
  });

  it('utility: text up to 200 characters', () => {
    expect(check('utility', ' PG&E ')).toEqual({ value: 'PG&E' });
    expect(check('utility', 'u'.repeat(200))).toEqual({ value: 'u'.repeat(200) });
    expect(check('utility', 'u'.repeat(201))).toEqual({ rule: 'range' });
  });

  it('propertyType: residential types, not land', () => {
    expect(check('propertyType', 'Single Family Home')).toEqual({ value: 'single_family' });
    expect(check('propertyType', 'condominium')).toEqual({ value: 'condo' });
    expect(check('propertyType', 'Town-Home')).toEqual({ value: 'townhouse' });
    expect(check('propertyType', 'mobile home')).toEqual({ value: 'mobile' });
    expect(check('propertyType', 'land')).toEqual({ rule: 'enum' });
  });
});
