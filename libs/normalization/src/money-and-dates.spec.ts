import { DateTime } from 'luxon';
import type { ParsedDate } from './money-and-dates';
import { parseDate, parseMoney, parseYesNo, toInstant } from './money-and-dates';

describe('parseMoney', () => {
  it.each<[string | number, string]>([
    ['$1,250.50', '1250.50'],
    ['1250', '1250.00'],
    ['1,250', '1250.00'],
    ['1250.5', '1250.50'],
    [' $ 1250 ', '1250.00'],
    ['$0', '0.00'],
    ['.5', '0.50'],
    ['0012', '12.00'],
    ['1,000,000.99', '1000000.99'],
    ['-1,250', '-1250.00'],
    ['-$5', '-5.00'],
    ['$-5', '-5.00'],
    ['+5', '5.00'],
    ['-0', '0.00'],
    [1250, '1250.00'],
    [1250.5, '1250.50'],
    [0.1 + 0.2, '0.30'],
    [-0, '0.00'],
  ])('%s → %s', (raw, money) => {
    expect(parseMoney(raw)).toBe(money);
  });

  it.each<string | number>([
    '1.2k',
    '1.250,50',
    '12.345',
    '1,25',
    '12,3456',
    '$',
    '',
    'abc',
    '--5',
    '-$-5',
    '1250.',
    '$1 250',
    'USD 100',
    '9'.repeat(19),
    1250.505,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e16,
  ])('refuses %s', (raw) => {
    expect(parseMoney(raw)).toBeNull();
  });
});

describe('parseDate', () => {
  it.each<[string | number, string]>([
    ['2024-01-15', '2024-01-15'],
    ['01/15/2024', '2024-01-15'],
    ['1/5/2024', '2024-01-05'],
    ['01-15-2024', '2024-01-15'],
    ['20240115', '2024-01-15'],
    [20240115, '2024-01-15'],
  ])('reads the date %s', (raw, iso) => {
    expect(parseDate(raw)).toEqual({ kind: 'date', iso });
  });

  it.each<[string | number, string]>([
    ['2024-01-15T10:00:00Z', '2024-01-15T10:00:00.000Z'],
    ['2024-01-15T10:00:00+02:00', '2024-01-15T08:00:00.000Z'],
    ['2024-01-15T10:00:00', '2024-01-15T10:00:00.000Z'],
    ['2024-01-15 10:30:00', '2024-01-15T10:30:00.000Z'],
    ['01/15/2024 10:30', '2024-01-15T10:30:00.000Z'],
    ['01/15/2024 10:30:15 PM', '2024-01-15T22:30:15.000Z'],
    ['1/15/2024 9:05am', '2024-01-15T09:05:00.000Z'],
    ['Mon, 15 Jan 2024 10:00:00 GMT', '2024-01-15T10:00:00.000Z'],
    ['1705312800', '2024-01-15T10:00:00.000Z'],
    [1705312800, '2024-01-15T10:00:00.000Z'],
    ['1705312800000', '2024-01-15T10:00:00.000Z'],
    [1705312800123, '2024-01-15T10:00:00.123Z'],
  ])('reads the instant %s', (raw, iso) => {
    expect(parseDate(raw)).toEqual({ kind: 'date_time', iso });
  });

  it.each<string | number>([
    '',
    'yesterday',
    '02/30/2024',
    '13/01/2024',
    '2024-13-01',
    '2024-02-30',
    '2024',
    '15/01/24',
    '01/15/2024 25:00',
    '123',
    '12345678901234',
    1.5,
    'x'.repeat(100),
  ])('refuses %s', (raw) => {
    expect(parseDate(raw)).toBeNull();
  });

  it('reads `YYYY-MM-DDTHH:mm:ssZ` exactly as luxon does, valid or not', () => {
    // Such instants skip luxon; this is what luxon makes of them.
    const luxon = (text: string): ParsedDate | null => {
      const parsed = [DateTime.fromISO(text, { zone: 'utc' }), DateTime.fromSQL(text, { zone: 'utc' })].find(
        (candidate) => candidate.isValid,
      );
      const iso = parsed?.toUTC().toISO() ?? null;
      return iso === null ? null : { kind: 'date_time', iso };
    };
    const pad = (n: number) => String(n).padStart(2, '0');
    const texts: string[] = [];
    for (const year of [
      '0000',
      '0999',
      '1000',
      '1582',
      '1900',
      '2000',
      '2023',
      '2024',
      '2100',
      '2400',
      '9999',
    ]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) texts.push(`${year}-${pad(month)}-${pad(day)}T10:00:00Z`);
      }
    }
    for (const date of ['2024-02-29', '2023-12-31', '2026-11-20']) {
      for (let hour = 0; hour <= 25; hour++) {
        for (const minute of [0, 59, 60]) {
          for (const second of [0, 59, 60]) texts.push(`${date}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`);
        }
      }
    }
    for (const text of texts) expect([text, parseDate(text)]).toEqual([text, luxon(text)]);
  });

  it('turns a bare date into the start of its UTC day', () => {
    expect(toInstant({ kind: 'date', iso: '2024-01-15' })).toBe('2024-01-15T00:00:00.000Z');
    expect(toInstant({ kind: 'date_time', iso: '2024-01-15T10:00:00.000Z' })).toBe(
      '2024-01-15T10:00:00.000Z',
    );
  });
});

describe('parseYesNo', () => {
  it.each<[string | number | boolean, boolean]>([
    ['yes', true],
    ['Y', true],
    ['TRUE', true],
    ['1', true],
    ['on', true],
    ['x', true],
    ['Checked', true],
    [1, true],
    [true, true],
    ['no', false],
    ['N', false],
    ['false', false],
    ['0', false],
    ['off', false],
    [0, false],
    [false, false],
  ])('%s → %s', (raw, answer) => {
    expect(parseYesNo(raw)).toBe(answer);
  });

  it.each<string | number>(['maybe', '2', 'agree', '', 2])('cannot read %s', (raw) => {
    expect(parseYesNo(raw)).toBeNull();
  });
});

describe('on hostile input', () => {
  it('answers quickly for long runs of spaces and digits', () => {
    const started = Date.now();
    expect(parseMoney(`-${' '.repeat(100_000)}x`)).toBeNull();
    expect(parseMoney('9'.repeat(100_000))).toBeNull();
    expect(parseDate(' '.repeat(100_000))).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
  });
});
