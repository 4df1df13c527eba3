import { DateTime } from 'luxon';
import { ProjectTimeframes, ProjectTypes, homeImprovementVertical } from './home-improvement';
import { validateVertical } from './vertical-field';

function check(field: string, value: unknown): { value: unknown } | { rule: string } {
  const result = validateVertical(homeImprovementVertical, new Map([[field, { value, source: field }]]), {
    now: DateTime.utc(),
  });
  const error = result.errors.find((e) => e.field === field);
  return error ? { rule: error.rule } : { value: result.attributes.find(([name]) => name === field)?.[1] };
}

describe('home_improvement', () => {
  it('has the documented fields', () => {
    expect(homeImprovementVertical.fields.map((f) => f.name)).toEqual([
      'projectType',
      'timeframe',
      'homeowner',
    ]);
  });

  it('projectType: every value and common words', () => {
    for (const value of ProjectTypes) expect(check('projectType', value)).toEqual({ value });
    expect(check('projectType', 'Kitchen Remodel')).toEqual({ value: 'kitchen' });
    expect(check('projectType', 'Bathroom')).toEqual({ value: 'bath' });
    expect(check('projectType', 'Roof Replacement')).toEqual({ value: 'roofing' });
    expect(check('projectType', 'Solar Panels')).toEqual({ value: 'solar' });
    expect(check('projectType', 'pool')).toEqual({ rule: 'enum' });
  });

  it('timeframe: every value and common words', () => {
    for (const value of ProjectTimeframes) expect(check('timeframe', value)).toEqual({ value });
    expect(check('timeframe', '1-3 months')).toEqual({ value: '1_3_months' });
    expect(check('timeframe', '3 to 6 months')).toEqual({ value: '3_6_months' });
    expect(check('timeframe', '6+ Months')).toEqual({ value: '6_plus_months' });
    expect(check('timeframe', 'ASAP')).toEqual({ value: 'immediately' });
    expect(check('timeframe', 'Within 1 Month')).toEqual({ value: 'within_1_month' });
    expect(check('timeframe', 'Not sure')).toEqual({ value: 'flexible' });
    expect(check('timeframe', 'someday')).toEqual({ rule: 'enum' });
  });

  it('homeowner: yes/no', () => {
    expect(check('homeowner', 'Y')).toEqual({ value: true });
    expect(check('homeowner', 'renter')).toEqual({ value: false });
    expect(check('homeowner', 'perhaps')).toEqual({ rule: 'type' });
  });
});
