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
