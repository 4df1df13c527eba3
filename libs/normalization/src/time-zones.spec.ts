import { StateCodes } from './address';
import {
  isIanaTimeZone,
  isInsideLocalWindow,
  localTime,
  nextInsideLocalWindow,
  timeZonesOfState,
} from './time-zones';

const callingHours = { start: '08:00', end: '21:00' } as const;
const quietHours = { start: '21:00', end: '08:00' } as const;
const newYork = 'America/New_York';

describe('IANA time zones', () => {
  it.each(['UTC', 'America/New_York', 'Europe/Berlin', 'America/Argentina/Buenos_Aires'])(
    'accepts %s',
    (z) => {
      expect(isIanaTimeZone(z)).toBe(true);
    },
  );
  it.each(['Mars/Olympus', 'New York', '', '+05:00', 'America/New_York; DROP'])('refuses %s', (z) => {
    expect(isIanaTimeZone(z)).toBe(false);
  });
});

describe('the zones of a US state', () => {
  it('knows every state, DC and territory the address rules know, in IANA zones', () => {
    for (const code of StateCodes) {
      const zones = timeZonesOfState(code);
      expect(zones.length).toBeGreaterThan(0);
      for (const zone of zones) expect(isIanaTimeZone(zone)).toBe(true);
    }
  });

  it('reads the state as intake does and puts the zone most people keep first', () => {
    expect(timeZonesOfState('California')).toEqual(['America/Los_Angeles']);
    expect(timeZonesOfState('tx')).toEqual(['America/Chicago', 'America/Denver']);
    expect(timeZonesOfState('Washington, D.C.')).toEqual(['America/New_York']);
    expect(timeZonesOfState('AZ')[0]).toBe('America/Phoenix');
  });

  it('answers nothing for what is not a state', () => {
    expect(timeZonesOfState('Ontario')).toEqual([]);
    expect(timeZonesOfState('')).toEqual([]);
  });
});

describe('local time of an instant', () => {
  it('follows New York across the spring-forward gap (2026-03-08, 02:00 → 03:00)', () => {
    expect(localTime('2026-03-08T06:59:00Z', newYork)).toMatchObject({
      date: '2026-03-08',
      time: '01:59',
      offsetMinutes: -300,
    });
    expect(localTime('2026-03-08T07:00:00Z', newYork)).toMatchObject({
      date: '2026-03-08',
      time: '03:00',
      minuteOfDay: 180,
      offsetMinutes: -240,
      weekday: 7,
    });
  });

  it('shows the repeated hour of the fall-back day (2026-11-01) twice, with two offsets', () => {
    const first = localTime('2026-11-01T05:30:00Z', newYork);
    const second = localTime('2026-11-01T06:30:00Z', newYork);
    expect(first).toMatchObject({ time: '01:30', minuteOfDay: 90, offsetMinutes: -240 });
    expect(second).toMatchObject({ time: '01:30', minuteOfDay: 90, offsetMinutes: -300 });
  });

  it('takes a Date, epoch milliseconds or ISO with an offset as the same instant', () => {
    const at = Date.UTC(2026, 6, 1, 16, 0);
    const expected = { date: '2026-07-01', time: '12:00', offsetMinutes: -240 };
    expect(localTime(new Date(at), newYork)).toMatchObject(expected);
    expect(localTime(at, newYork)).toMatchObject(expected);
    expect(localTime('2026-07-01T18:00:00+02:00', newYork)).toMatchObject(expected);
    expect(localTime('2026-07-01T16:00:00', newYork)).toMatchObject(expected);
  });

  it('refuses a zone that is not IANA and an instant that is not a date', () => {
    expect(() => localTime(0, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localTime('yesterday', newYork)).toThrow(RangeError);
  });
});

describe('a local window', () => {
  it('opens at 08:00 by the wall clock on both sides of the spring-forward day', () => {
    // 2026-03-07 is EST (UTC-5), 2026-03-08 from 03:00 EDT (UTC-4): 08:00 is 13:00Z, then 12:00Z.
    expect(isInsideLocalWindow('2026-03-07T12:59:00Z', newYork, callingHours)).toBe(false);
    expect(isInsideLocalWindow('2026-03-07T13:00:00Z', newYork, callingHours)).toBe(true);
    expect(isInsideLocalWindow('2026-03-08T11:59:00Z', newYork, callingHours)).toBe(false);
    expect(isInsideLocalWindow('2026-03-08T12:00:00Z', newYork, callingHours)).toBe(true);
  });

  it('opens at 08:00 EST after the fall-back night and closes at 21:00 (end excluded)', () => {
    expect(isInsideLocalWindow('2026-11-01T12:59:00Z', newYork, callingHours)).toBe(false);
    expect(isInsideLocalWindow('2026-11-01T13:00:00Z', newYork, callingHours)).toBe(true);
    expect(isInsideLocalWindow('2026-11-02T01:59:00Z', newYork, callingHours)).toBe(true);
    expect(isInsideLocalWindow('2026-11-02T02:00:00Z', newYork, callingHours)).toBe(false);
  });

  it('crosses midnight when its end is before its start (quiet hours)', () => {
    expect(isInsideLocalWindow('2026-07-01T02:00:00Z', newYork, quietHours)).toBe(true); // 22:00
    expect(isInsideLocalWindow('2026-07-01T11:59:00Z', newYork, quietHours)).toBe(true); // 07:59
    expect(isInsideLocalWindow('2026-07-01T12:00:00Z', newYork, quietHours)).toBe(false); // 08:00
  });

  it('keeps Arizona on standard time while Denver moves to summer time', () => {
    const at = '2026-07-01T14:30:00Z'; // 07:30 in Phoenix, 08:30 in Denver
    expect(isInsideLocalWindow(at, 'America/Phoenix', callingHours)).toBe(false);
    expect(isInsideLocalWindow(at, 'America/Denver', callingHours)).toBe(true);
  });

  it('refuses a malformed or empty window', () => {
    expect(() => isInsideLocalWindow(0, newYork, { start: '8:00', end: '21:00' })).toThrow(/start/);
    expect(() => isInsideLocalWindow(0, newYork, { start: '08:00', end: '24:00' })).toThrow(/end/);
    expect(() => isInsideLocalWindow(0, newYork, { start: '08:00', end: '08:00' })).toThrow(RangeError);
  });
});

describe('the next instant inside a local window', () => {
  it('is the instant itself when the window is open', () => {
    expect(nextInsideLocalWindow('2026-07-01T16:00:00Z', newYork, callingHours).toISOString()).toBe(
      '2026-07-01T16:00:00.000Z',
    );
  });

  it('is 08:00 the same morning, or 08:00 the next one after the window closed', () => {
    expect(nextInsideLocalWindow('2026-07-01T10:00:00Z', newYork, callingHours).toISOString()).toBe(
      '2026-07-01T12:00:00.000Z',
    );
    expect(nextInsideLocalWindow('2026-07-02T02:00:00Z', newYork, callingHours).toISOString()).toBe(
      '2026-07-02T12:00:00.000Z',
    );
  });

  it('is 08:00 EDT, not EST, when the night held crosses the spring-forward change', () => {
    // 22:00 EST on 2026-03-07; the next 08:00 is on the 8th, already in summer time.
    expect(nextInsideLocalWindow('2026-03-08T03:00:00Z', newYork, callingHours).toISOString()).toBe(
      '2026-03-08T12:00:00.000Z',
    );
  });

  it('opens when the clocks resume if its start falls in the spring-forward gap', () => {
    const window = { start: '02:30', end: '04:00' } as const;
    expect(nextInsideLocalWindow('2026-03-08T05:00:00Z', newYork, window).toISOString()).toBe(
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
    );
  });

  it('opens again in the repeated hour of the fall-back night', () => {
    const window = { start: '01:00', end: '01:45' } as const;
    // 01:50 EDT; an hour later the clocks show 01:00 EST.
    expect(nextInsideLocalWindow('2026-11-01T05:50:00Z', newYork, window).toISOString()).toBe(
      '2026-11-01T06:00:00.000Z',
    );
  });

  it('is this evening for quiet hours at noon', () => {
    expect(nextInsideLocalWindow('2026-07-01T16:00:00Z', newYork, quietHours).toISOString()).toBe(
      '2026-07-02T01:00:00.000Z',
    );
  });
});
