import { isIanaTimeZone } from './time-zones';

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
