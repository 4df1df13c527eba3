import { DateTime } from 'luxon';
import { HvacServiceTypes, HvacSystemTypes, HvacUrgencies, hvacVertical } from './hvac';
import { validateVertical } from './vertical-field';

function check(field: string, value: unknown): { value: unknown } | { rule: string } {
  const result = validateVertical(hvacVertical, new Map([[field, { value, source: field }]]), {
    now: DateTime.utc(),
  });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('hvac', () => {
  it('has the documented fields', () => {
    expect(hvacVertical.fields.map((f) => f.name)).toEqual([
      'systemType',
      'systemAge',
      'serviceType',
      'urgency',
      'propertySize',
    ]);
  });

  it('systemType: every value and common words', () => {
    for (const value of HvacSystemTypes) expect(check('systemType', value)).toEqual({ value });
    expect(check('systemType', 'Central A/C')).toEqual({ value: 'central_air' });
    expect(check('systemType', 'Heat Pump')).toEqual({ value: 'heat_pump' });
    expect(check('systemType', 'mini-split')).toEqual({ value: 'ductless_mini_split' });
    expect(check('systemType', 'Gas Furnace')).toEqual({ value: 'furnace' });
    expect(check('systemType', 'wood stove')).toEqual({ rule: 'enum' });
  });

  it.each<[unknown, unknown]>([
    ['0', { value: 0 }],
    [100, { value: 100 }],
    ['12 yrs', { value: 12 }],
    ['101', { rule: 'range' }],
    ['-1', { rule: 'range' }],
    ['ten', { rule: 'type' }],
  ])('systemAge %s → %j', (raw, expected) => {
    expect(check('systemAge', raw)).toEqual(expected);
  });

  it('serviceType: every value and common words', () => {
    for (const value of HvacServiceTypes) expect(check('serviceType', value)).toEqual({ value });
    expect(check('serviceType', 'Installation')).toEqual({ value: 'install' });
    expect(check('serviceType', 'Tune-Up')).toEqual({ value: 'maintenance' });
    expect(check('serviceType', 'replacement')).toEqual({ value: 'replace' });
    expect(check('serviceType', 'demolition')).toEqual({ rule: 'enum' });
  });

  it('urgency: every value and common words', () => {
    for (const value of HvacUrgencies) expect(check('urgency', value)).toEqual({ value });
    expect(check('urgency', 'Within 24 Hours')).toEqual({ value: 'within_24_hours' });
    expect(check('urgency', 'ASAP')).toEqual({ value: 'emergency' });
    expect(check('urgency', 'this week')).toEqual({ value: 'within_week' });
    expect(check('urgency', 'no rush')).toEqual({ value: 'flexible' });
    expect(check('urgency', 'next decade')).toEqual({ rule: 'enum' });
  });

  it.each<[unknown, unknown]>([
    ['100', { value: 100 }],
    ['100,000', { value: 100000 }],
    ['2,400 sq ft', { value: 2400 }],
    ['99', { rule: 'range' }],
    ['100001', { rule: 'range' }],
    ['big', { rule: 'type' }],
  ])('propertySize %s → %j', (raw, expected) => {
    expect(check('propertySize', raw)).toEqual(expected);
  });
});
