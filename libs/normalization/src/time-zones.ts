import { DateTime } from 'luxon';
import { normalizeState } from './address';

const known = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);

/** Whether `zone` is an IANA time zone this runtime knows (UTC included). */
export function isIanaTimeZone(zone: string): boolean {
  if (zone === 'UTC' || known.has(zone)) return true;
  if (!/^[A-Za-z]+(?:[/_+-][A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA zones each US state, DC and inhabited territory keeps, the one most of its people
 * live in first (Indiana's north-west and Florida's panhandle are Central, El Paso is Mountain,
 * the Navajo Nation keeps DST while the rest of Arizona does not, ...).
 */
const stateZones: Readonly<Record<string, readonly string[]>> = {
  AL: ['America/Chicago'],
  AK: ['America/Anchorage', 'America/Adak'],
  AZ: ['America/Phoenix', 'America/Denver'],
  AR: ['America/Chicago'],
  CA: ['America/Los_Angeles'],
  CO: ['America/Denver'],
  CT: ['America/New_York'],
  DE: ['America/New_York'],
  FL: ['America/New_York', 'America/Chicago'],
  GA: ['America/New_York'],
  HI: ['Pacific/Honolulu'],
  ID: ['America/Boise', 'America/Los_Angeles'],
  IL: ['America/Chicago'],
  IN: ['America/Indiana/Indianapolis', 'America/Chicago'],
  IA: ['America/Chicago'],
  KS: ['America/Chicago', 'America/Denver'],
  KY: ['America/New_York', 'America/Chicago'],
  LA: ['America/Chicago'],
  ME: ['America/New_York'],
  MD: ['America/New_York'],
  MA: ['America/New_York'],
  MI: ['America/Detroit', 'America/Menominee'],
  MN: ['America/Chicago'],
  MS: ['America/Chicago'],
  MO: ['America/Chicago'],
  MT: ['America/Denver'],
  NE: ['America/Chicago', 'America/Denver'],
  NV: ['America/Los_Angeles', 'America/Denver'],
  NH: ['America/New_York'],
  NJ: ['America/New_York'],
  NM: ['America/Denver'],
  NY: ['America/New_York'],
  NC: ['America/New_York'],
  ND: ['America/Chicago', 'America/Denver'],
  OH: ['America/New_York'],
  OK: ['America/Chicago'],
  OR: ['America/Los_Angeles', 'America/Boise'],
  PA: ['America/New_York'],
  RI: ['America/New_York'],
  SC: ['America/New_York'],
  SD: ['America/Chicago', 'America/Denver'],
  TN: ['America/Chicago', 'America/New_York'],
  TX: ['America/Chicago', 'America/Denver'],
  UT: ['America/Denver'],
  VT: ['America/New_York'],
  VA: ['America/New_York'],
  WA: ['America/Los_Angeles'],
  WV: ['America/New_York'],
  WI: ['America/Chicago'],
  WY: ['America/Denver'],
  DC: ['America/New_York'],
  PR: ['America/Puerto_Rico'],
  GU: ['Pacific/Guam'],
  VI: ['America/St_Thomas'],
  AS: ['Pacific/Pago_Pago'],
  MP: ['Pacific/Saipan'],
};

/**
 * The zones a US state keeps (`CA`, `California`, `N.Y.` ... as `normalizeState` reads them),
 * the one most of its people live in first; empty when the state is unknown. A rule that must
 * hold for everyone in the state (quiet hours) checks every zone; a default picks the first.
 */
export function timeZonesOfState(state: string): readonly string[] {
  const code = normalizeState(state);
  return code === null ? [] : (stateZones[code] ?? []);
}

/** A wall-clock time of day, `HH:mm` on a 24-hour clock (`08:00`, `21:30`). */
export type ClockTime = `${number}:${number}`;

/** Local times from `start` (included) to `end` (excluded); `end` before `start` crosses midnight (21:00–08:00). */
export interface LocalWindow {
  start: ClockTime;
  end: ClockTime;
}

/** An instant as the clocks of one zone show it. */
export interface LocalTime {
  zone: string;
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** `HH:mm` in the zone. */
  time: string;
  /** ISO weekday in the zone: 1 Monday … 7 Sunday. */
  weekday: number;
  /** Minutes since local midnight as the clock shows them (`01:30` is 90 on both fall-back passes). */
  minuteOfDay: number;
  /** The zone's offset from UTC at that instant, in minutes (-240 for New York in summer). */
  offsetMinutes: number;
}

/**
 * What the clocks of `zone` show at `instant` (a Date, epoch milliseconds, or ISO 8601, read as
 * UTC without an offset); throws RangeError for a zone that is not IANA.
 */
export function localTime(instant: Date | number | string, zone: string): LocalTime {
  const local = inZone(instant, zone);
  return {
    zone,
    date: local.toFormat('yyyy-MM-dd'),
    time: local.toFormat('HH:mm'),
    weekday: local.weekday,
    minuteOfDay: wallMinutes(local),
    offsetMinutes: local.offset,
  };
}

/**
 * Whether the clocks of `zone` show a time inside `window` at `instant` (08:00–21:00 calling
 * hours, a buyer's 09:00–17:00). Judged by the wall clock, so DST days need nothing special.
 */
export function isInsideLocalWindow(
  instant: Date | number | string,
  zone: string,
  window: LocalWindow,
): boolean {
  const { minuteOfDay } = localTime(instant, zone);
  const start = clockMinutes(window.start, 'start');
  const end = clockMinutes(window.end, 'end');
  if (start === end) throw new RangeError('a local window needs start and end to differ');
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/**
 * `instant` itself when it is inside `window` in `zone`, else the next instant the window opens
 * there (a message held for quiet hours goes out then). A start that the spring-forward gap
 * skips (02:30 on that day) opens when the clocks resume, at 03:00.
 */
export function nextInsideLocalWindow(
  instant: Date | number | string,
  zone: string,
  window: LocalWindow,
): Date {
  const local = inZone(instant, zone);
  if (isInsideLocalWindow(instant, zone, window)) return local.toJSDate();
  const start = clockMinutes(window.start, 'start');
  const day = local.startOf('day');
  for (const candidateDay of [day, day.plus({ days: 1 })]) {
    const opening = openingsOn(candidateDay, start).find((at) => at > local);
    if (opening) return opening.toJSDate();
  }
  throw new RangeError('no opening within a day'); // unreachable: a window opens at least once a day
}

/** When the clocks show `startMinutes` on `day`: once, twice on a fall-back day, once after a spring-forward gap. */
function openingsOn(day: DateTime, startMinutes: number): DateTime[] {
  const wanted = day.set({ hour: Math.floor(startMinutes / 60), minute: startMinutes % 60 });
  // Luxon moves a time inside a spring-forward gap past the gap by the gap's length (02:30 → 03:30);
  // the window opens when the clocks resume.
  if (wallMinutes(wanted) !== startMinutes) return [wanted.startOf('hour')];
  // Luxon picks the first of a repeated time; an hour later the clocks may show it again.
  const again = wanted.plus({ hours: 1 });
  return wallMinutes(again) === startMinutes ? [wanted, again] : [wanted];
}

function wallMinutes(at: DateTime): number {
  return at.hour * 60 + at.minute;
}

function inZone(instant: Date | number | string, zone: string): DateTime {
  if (!isIanaTimeZone(zone)) throw new RangeError(`${zone} is not an IANA time zone`);
  const at =
    instant instanceof Date
      ? DateTime.fromJSDate(instant)
      : typeof instant === 'number'
        ? DateTime.fromMillis(instant)
        : DateTime.fromISO(instant, { zone: 'utc' });
  if (!at.isValid) throw new RangeError('instant is not a valid date');
  return at.setZone(zone);
}

function clockMinutes(clock: string, name: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!match) throw new RangeError(`${name} must be HH:mm on a 24-hour clock`);
  return Number(match[1]) * 60 + Number(match[2]);
}
