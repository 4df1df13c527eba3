/** A usage period: a calendar month in UTC, written `YYYY-MM`. */
export type UsagePeriod = string;

/** The month (UTC) an instant falls in, e.g. `2026-11` for 2026-11-30T23:59:59.999Z. */
export function usagePeriodOf(at: Date): UsagePeriod {
  if (Number.isNaN(at.getTime())) throw new RangeError('usagePeriodOf: invalid date');
  return at.toISOString().slice(0, 7);
}

/** The first day of the period, as PostgreSQL `date` text (the key of the usage row). */
export function periodStart(period: UsagePeriod): string {
  return `${period}-01`;
}
