/**
 * The month arithmetic of monthly quotas: identity counts usage per month and ingestion refuses
 * leads past the plan's monthly quota, both by calendar months in UTC.
 */

/** A quota month: a calendar month in UTC, written `YYYY-MM`. */
export type QuotaMonth = string;

function assertValid(at: Date, name: string): void {
  if (Number.isNaN(at.getTime())) throw new RangeError(`${name}: invalid date`);
}

/** The month (UTC) an instant falls in, e.g. `2026-11` for 2026-11-30T23:59:59.999Z. */
export function quotaMonthOf(at: Date): QuotaMonth {
  assertValid(at, 'quotaMonthOf');
  return at.toISOString().slice(0, 7);
}

/** The first instant (00:00 UTC on the 1st) of the month `at` falls in. */
export function quotaMonthStart(at: Date): Date {
  assertValid(at, 'quotaMonthStart');
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The first day of a month, as PostgreSQL `date` text (`YYYY-MM-01`). */
export function quotaMonthFirstDay(month: QuotaMonth): string {
  return `${month}-01`;
}

/** Whole seconds from `now` until the next month starts, at least 1 (a quota's Retry-After). */
export function secondsToNextQuotaMonth(now: Date): number {
  assertValid(now, 'secondsToNextQuotaMonth');
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}
