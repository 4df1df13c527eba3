import { StateCodes, normalizeState, normalizeZip, tidyAddressLine, tidyCity } from './address';

describe('normalizeState', () => {
  it('knows the 50 states, DC and five territories', () => {
    expect(StateCodes).toHaveLength(56);
    for (const code of StateCodes) {
      expect(normalizeState(code)).toBe(code);
      expect(normalizeState(code.toLowerCase())).toBe(code);
    }
  });

  it.each([
    ['California', 'CA'],
    ['new york', 'NY'],
    ['NORTH CAROLINA', 'NC'],
    [' Texas ', 'TX'],
    ['N.Y.', 'NY'],
    ['D.C.', 'DC'],
    ['District of Columbia', 'DC'],
    ['Washington, D.C.', 'DC'],
    ['Washington', 'WA'],
    ['Puerto Rico', 'PR'],
    ['guam', 'GU'],
    ['U.S. Virgin Islands', 'VI'],
    ['Virgin Islands', 'VI'],
    ['American Samoa', 'AS'],
    ['Northern Mariana Islands', 'MP'],
  ])('%s → %s', (raw, code) => {
    expect(normalizeState(raw)).toBe(code);
  });

  it.each(['XX', 'Calif', 'Ontario', 'ON', 'AA', '', '12', 'x'.repeat(500)])('refuses %s', (raw) => {
    expect(normalizeState(raw)).toBeNull();
  });
});

describe('normalizeZip', () => {
  it.each<[string | number, string]>([
    ['90210', '90210'],
    ['90210-1234', '90210-1234'],
    ['90210 1234', '90210-1234'],
    ['902101234', '90210-1234'],
    ['2134', '02134'],
    ['9021', '09021'],
    [2134, '02134'],
    [90210, '90210'],
    ['2134-5678', '02134-5678'],
    ['21345678', '02134-5678'],
    [' 07030 ', '07030'],
  ])('%s → %s', (raw, zip) => {
    expect(normalizeZip(raw)).toBe(zip);
  });

  it.each<string | number>([
    '123',
    '1234567',
    '90210-12',
    'ABCDE',
    '00000',
    '0000',
    '90210-',
    'K1A 0B1',
    902.1,
    -2134,
  ])('refuses %s', (raw) => {
    expect(normalizeZip(raw)).toBeNull();
  });
});

describe('address lines and cities', () => {
  it('tidies white space and fixes the case of shouted cities only', () => {
    expect(tidyAddressLine('  123   MAIN ST  ')).toBe('123 MAIN ST');
    expect(tidyCity('NEW YORK')).toBe('New York');
    expect(tidyCity('st. louis')).toBe('St. Louis');
    expect(tidyCity('McAllen')).toBe('McAllen');
  });
});
