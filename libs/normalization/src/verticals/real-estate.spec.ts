import { DateTime } from 'luxon';
import { RealEstatePropertyTypes, realEstateVertical } from './real-estate';
import { validateVertical } from './vertical-field';

const now = DateTime.fromISO('2025-06-15T12:00:00Z', { zone: 'utc' });

function check(field: string, value: unknown): { value: unknown } | { rule: string } {
  const result = validateVertical(realEstateVertical, new Map([[field, { value, source: field }]]), { now });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('real_estate', () => {
  it('has the documented fields', () => {
    expect(realEstateVertical.fields.map((f) => f.name)).toEqual([
      'propertyAddress',
      'estimatedValue',
      'equity',
      'motivation',
      'propertyType',
      'ownerName',
      'bedrooms',
      'bathrooms',
      'squareFootage',
      'yearBuilt',
    ]);
  });

  it('text fields keep tidied text within their length', () => {
    expect(check('propertyAddress', ' 12  Oak Ave ')).toEqual({ value: '12 Oak Ave' });
    expect(check('propertyAddress', 'a'.repeat(501))).toEqual({ rule: 'range' });
    expect(check('motivation', 'Relocating for work')).toEqual({ value: 'Relocating for work' });
    expect(check('motivation', 'm'.repeat(500))).toEqual({ value: 'm'.repeat(500) });
    expect(check('motivation', 'm'.repeat(501))).toEqual({ rule: 'range' });
    expect(check('ownerName', 'Jane Doe')).toEqual({ value: 'Jane Doe' });
    expect(check('ownerName', 'o'.repeat(201))).toEqual({ rule: 'range' });
  });

  it.each<[string, unknown, unknown]>([
    ['estimatedValue', '0', { value: '0.00' }],
    ['estimatedValue', '1,000,000,000', { value: '1000000000.00' }],
    ['estimatedValue', '1000000000.01', { rule: 'range' }],
    ['estimatedValue', '-1', { rule: 'range' }],
    ['equity', '-25,000', { value: '-25000.00' }],
    ['equity', '$150,000.5', { value: '150000.50' }],
    ['equity', 'lots', { rule: 'type' }],
    ['bedrooms', '0', { value: 0 }],
    ['bedrooms', '50', { value: 50 }],
    ['bedrooms', '3 bed', { value: 3 }],
    ['bedrooms', '51', { rule: 'range' }],
    ['bedrooms', '2.5', { rule: 'type' }],
    ['bathrooms', '0', { value: 0 }],
    ['bathrooms', '2.5', { value: 2.5 }],
    ['bathrooms', '50', { value: 50 }],
    ['bathrooms', '50.5', { rule: 'range' }],
    ['bathrooms', '-0.5', { rule: 'range' }],
    ['bathrooms', '2.25', { rule: 'type' }],
    ['squareFootage', '100', { value: 100 }],
    ['squareFootage', '1,000,000', { value: 1000000 }],
    ['squareFootage', '1,850 sqft', { value: 1850 }],
    ['squareFootage', '99', { rule: 'range' }],
    ['squareFootage', '1000001', { rule: 'range' }],
    ['yearBuilt', '1700', { value: 1700 }],
    ['yearBuilt', '2026', { value: 2026 }],
    ['yearBuilt', '1699', { rule: 'range' }],
    ['yearBuilt', '2027', { rule: 'range' }],
    ['yearBuilt', "'95", { rule: 'type' }],
  ])('%s %s → %j', (field, raw, expected) => {
    expect(check(field, raw)).toEqual(expected);
  });

  it('propertyType includes land', () => {
    for (const value of RealEstatePropertyTypes) expect(check('propertyType', value)).toEqual({ value });
    expect(check('propertyType', 'Vacant Land')).toEqual({ value: 'land' });
    expect(check('propertyType', 'Duplex')).toEqual({ value: 'multi_family' });
    expect(check('propertyType', 'castle')).toEqual({ rule: 'enum' });
  });
});
