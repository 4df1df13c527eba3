import { periodStart, usagePeriodOf } from './usage-period';

describe('usage periods', () => {
  it('are calendar months in UTC, whatever offset the instant was written with', () => {
    expect(usagePeriodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(usagePeriodOf(new Date('2026-12-01T00:00:00.000Z'))).toBe('2026-12');
    // 20:30 on 30 November in New York is already December in UTC.
    expect(usagePeriodOf(new Date('2026-11-30T20:30:00-05:00'))).toBe('2026-12');
    expect(usagePeriodOf(new Date('2027-01-01T00:30:00+01:00'))).toBe('2026-12');
  });

  it('start on the first of the month', () => {
    expect(periodStart('2026-02')).toBe('2026-02-01');
  });

  it('refuse an invalid date', () => {
    expect(() => usagePeriodOf(new Date('not a date'))).toThrow(RangeError);
  });
});
