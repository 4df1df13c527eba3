import { quotaMonthFirstDay, quotaMonthOf, quotaMonthStart, secondsToNextQuotaMonth } from './quota-month';

describe('quota months', () => {
  it('are calendar months in UTC, whatever offset the instant was written with', () => {
    expect(quotaMonthOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(quotaMonthOf(new Date('2026-12-01T00:00:00.000Z'))).toBe('2026-12');
    // 20:30 on 30 November in New York is already December in UTC.
    expect(quotaMonthOf(new Date('2026-11-30T20:30:00-05:00'))).toBe('2026-12');
    expect(quotaMonthOf(new Date('2027-01-01T00:30:00+01:00'))).toBe('2026-12');
  });

  it('start at midnight UTC on the first', () => {
    expect(quotaMonthStart(new Date('2026-11-30T23:59:59.999Z')).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(quotaMonthStart(new Date('2027-01-01T00:30:00+01:00')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(quotaMonthStart(new Date('2028-02-29T12:00:00Z')).toISOString()).toBe('2028-02-01T00:00:00.000Z');
    expect(quotaMonthFirstDay('2026-02')).toBe('2026-02-01');
  });

  it('end when the next month starts, across a year and in a leap February', () => {
    expect(secondsToNextQuotaMonth(new Date('2026-12-31T23:59:00.000Z'))).toBe(60);
    expect(secondsToNextQuotaMonth(new Date('2028-02-28T00:00:00.000Z'))).toBe(2 * 86_400);
    expect(secondsToNextQuotaMonth(new Date('2026-11-01T00:00:00.000Z'))).toBe(30 * 86_400);
    // A part of a second counts as a second; the last instant still waits one.
    expect(secondsToNextQuotaMonth(new Date('2026-11-30T23:59:58.500Z'))).toBe(2);
    expect(secondsToNextQuotaMonth(new Date('2026-11-30T23:59:59.999Z'))).toBe(1);
  });

  it('refuse an invalid date', () => {
    expect(() => quotaMonthOf(new Date('not a date'))).toThrow(RangeError);
    expect(() => quotaMonthStart(new Date('not a date'))).toThrow(RangeError);
    expect(() => secondsToNextQuotaMonth(new Date('not a date'))).toThrow(RangeError);
  });
});
