import { DateTime } from 'luxon';

/**
 * Money as a decimal string with two decimals (`"1250.50"`), never a float. Strict on purpose:
 * an optional `$` and minus sign, thousands separators in the right places, at most two
 * decimals. `1.2k`, `1.250,50` and `12.345` are refused (null). JSON numbers are accepted when
 * they have at most two decimals.
 */
export function parseMoney(value: string | number): string | null {
  if (typeof value === 'number') return moneyFromNumber(value);
  if (value.length > 64) return null;
  const match = /^([-+]?)\s*\$?\s*([-+]?)\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, signBefore = '', signAfter = '', whole, fraction] = match;
  if ((signBefore !== '' && signAfter !== '') || (whole === undefined && fraction === undefined)) return null;
  const digits = (whole ?? '0').replace(/,/g, '');
  if (digits.length > 18) return null;
  const units = BigInt(digits).toString();
  const cents = (fraction ?? '').padEnd(2, '0');
  const negative = (signBefore || signAfter) === '-' && (units !== '0' || cents !== '00');
  return `${negative ? '-' : ''}${units}.${cents}`;
}

function moneyFromNumber(value: number): string | null {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e15) return null;
  const fixed = value.toFixed(2);
  if (Math.abs(Number(fixed) - value) > 1e-9 * Math.max(1, Math.abs(value))) return null;
  return fixed === '-0.00' ? '0.00' : fixed;
}

/** A money decimal string's value, for range checks. */
export function moneyValue(money: string): number {
  return Number(money);
}

export type ParsedDate = { kind: 'date'; iso: string } | { kind: 'date_time'; iso: string };

const utc = { zone: 'utc' } as const;

/**
 * A date or an instant: `YYYY-MM-DD`, `MM/DD/YYYY` (or `M-D-YYYY`), `YYYYMMDD`, ISO 8601
 * date-times, SQL `YYYY-MM-DD HH:mm[:ss]`, `MM/DD/YYYY HH:mm[:ss] [AM|PM]`, HTTP dates, and
 * unix seconds or milliseconds. Date-times without an offset are read as UTC. Dates come back
 * as `YYYY-MM-DD`, instants as ISO UTC (`2024-01-15T10:00:00.000Z`); null when not a date.
 */
export function parseDate(value: string | number): ParsedDate | null {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : '') : value.trim();
  if (text.length === 0 || text.length > 64) return null;
  const plain = plainUtcInstant(text);
  if (plain !== undefined) return plain;
  if (/^\d+$/.test(text)) return fromDigits(text);

  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return date(DateTime.fromISO(text, utc));
  const us = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T](.+))?$/i.exec(text);
  if (us) {
    const [, month = '', day = '', year = '', time] = us;
    const day0 = `${month}/${day}/${year}`;
    if (time === undefined) return date(DateTime.fromFormat(day0, 'M/d/yyyy', utc));
    for (const format of ['H:mm', 'H:mm:ss', 'h:mm a', 'h:mm:ss a', 'h:mma', 'h:mm:ssa']) {
      const parsed = DateTime.fromFormat(`${day0} ${time.trim()}`, `M/d/yyyy ${format}`, utc);
      if (parsed.isValid) return instant(parsed);
    }
    return null;
  }
  const candidates = /^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}/.test(text)
    ? [DateTime.fromISO(text, utc), DateTime.fromSQL(text, utc)]
    : [DateTime.fromHTTP(text, utc), DateTime.fromRFC2822(text, utc)];
  return instant(candidates.find((parsed) => parsed.isValid) ?? DateTime.invalid('not a date'));
}

const utcInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * `2024-01-15T10:00:00Z`, what most vendors send, read without luxon (which takes microseconds
 * for it): when plainly valid, luxon's answer is the same text with `.000` milliseconds. Anything
 * unusual (hour 24, a year before 1000, an impossible day) is undefined: luxon decides.
 */
function plainUtcInstant(text: string): ParsedDate | undefined {
  const match = utcInstant.exec(text);
  if (match === null) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);
  const valid =
    year >= 1000 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  return valid ? { kind: 'date_time', iso: `${text.slice(0, 19)}.000Z` } : undefined;
}

/** Days in a month (1–12) of the proleptic Gregorian calendar, as luxon counts them. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYYMMDD`, unix seconds (9–10 digits) or unix milliseconds (11–13 digits). */
function fromDigits(digits: string): ParsedDate | null {
  if (digits.length === 8) return date(DateTime.fromFormat(digits, 'yyyyMMdd', utc));
  if (digits.length >= 9 && digits.length <= 10) return instant(DateTime.fromSeconds(Number(digits), utc));
  if (digits.length >= 11 && digits.length <= 13) return instant(DateTime.fromMillis(Number(digits), utc));
  return null;
}

function date(parsed: DateTime): ParsedDate | null {
  const iso = parsed.isValid ? parsed.toISODate() : null;
  return iso === null ? null : { kind: 'date', iso };
}

function instant(parsed: DateTime): ParsedDate | null {
  const iso = parsed.isValid ? parsed.toUTC().toISO() : null;
  return iso === null ? null : { kind: 'date_time', iso };
}

/** An instant in ISO UTC; a bare date is the start of that day in UTC. */
export function toInstant(parsed: ParsedDate): string {
  return parsed.kind === 'date_time' ? parsed.iso : `${parsed.iso}T00:00:00.000Z`;
}

const truthy = new Set(['yes', 'y', 'true', 't', '1', 'on', 'x', 'checked']);
const falsy = new Set(['no', 'n', 'false', 'f', '0', 'off', 'unchecked']);

/** yes/y/true/1/on/x/checked → true; no/n/false/0/off/unchecked → false; anything else → null. */
export function parseYesNo(value: string | number | boolean): boolean | null {
  if (typeof value === 'boolean') return value;
  const key = String(value).trim().toLowerCase();
  if (truthy.has(key)) return true;
  if (falsy.has(key)) return false;
  return null;
}
