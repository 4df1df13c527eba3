import { DateTime } from 'luxon';
import {
  booleanField,
  enumField,
  enumKey,
  halfStepField,
  integerField,
  moneyField,
  parseInteger,
  textField,
} from './field-parsers';

const context = { now: DateTime.utc() };
const shape = { name: 'f', aliases: [] };

describe('parseInteger', () => {
  it.each<[string | number, number]>([
    ['12', 12],
    [' 12 ', 12],
    ['2,500', 2500],
    ['12.0', 12],
    ['-3', -3],
    ['+3', 3],
    [7, 7],
    ['15 years', 15],
    ['15yrs', 15],
    ['2,000 sq ft', 2000],
  ])('%s → %s', (raw, number) => {
    expect(parseInteger(raw, ['years', 'yrs', 'sq ft'])).toBe(number);
  });

  it.each<string | number | boolean>(['12.5', 'twelve', '', '1,00', '12 parsecs', 'years', 1.5, true])(
    'refuses %s',
    (raw) => {
      expect(parseInteger(raw, ['years'])).toBeNull();
    },
  );

  it('reads numbers too large to hold as out of any range', () => {
    expect(parseInteger('9'.repeat(30))).toBe(Number.POSITIVE_INFINITY);
    expect(parseInteger(`-${'9'.repeat(30)}`)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('field builders', () => {
  it('moneyField: a two-decimal string within range', () => {
    const field = moneyField(shape, { min: 0, max: 100 });
    expect(field.parse('$100', context)).toEqual({ ok: true, value: '100.00' });
    expect(field.parse('100.01', context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse('-0.01', context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse('1.2k', context)).toMatchObject({ ok: false, rule: 'type' });
    expect(field.parse(true, context)).toMatchObject({ ok: false, rule: 'type' });
  });

  it('integerField: whole numbers within range', () => {
    const field = integerField(shape, { min: 1, max: 10 });
    expect(field.parse('10', context)).toEqual({ ok: true, value: 10 });
    expect(field.parse(11, context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse('0', context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse('5.5', context)).toMatchObject({ ok: false, rule: 'type' });
  });

  it('halfStepField: whole and half numbers', () => {
    const field = halfStepField(shape, { min: 0, max: 50 });
    expect(field.parse('2.5', context)).toEqual({ ok: true, value: 2.5 });
    expect(field.parse(3, context)).toEqual({ ok: true, value: 3 });
    expect(field.parse('2.25', context)).toMatchObject({ ok: false, rule: 'type' });
    expect(field.parse('50.5', context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse('two', context)).toMatchObject({ ok: false, rule: 'type' });
  });

  it('enumField: values and synonyms, whatever the case and separators', () => {
    const field = enumField(shape, ['needs_replacement', 'good'] as const, { replace: 'needs_replacement' });
    expect(field.parse('Needs Replacement', context)).toEqual({ ok: true, value: 'needs_replacement' });
    expect(field.parse('needs-replacement', context)).toEqual({ ok: true, value: 'needs_replacement' });
    expect(field.parse('REPLACE', context)).toEqual({ ok: true, value: 'needs_replacement' });
    expect(field.parse('great', context)).toMatchObject({
      ok: false,
      rule: 'enum',
      message: expect.stringContaining('good'),
    });
    expect(field.parse('x'.repeat(1000), context)).toMatchObject({ ok: false, rule: 'enum' });
    expect(enumKey(' 6+ Months ')).toBe('6+months');
  });

  it('booleanField: yes/no and field words', () => {
    const field = booleanField(shape, { own: true, rent: false });
    expect(field.parse('Yes', context)).toEqual({ ok: true, value: true });
    expect(field.parse(0, context)).toEqual({ ok: true, value: false });
    expect(field.parse('Own', context)).toEqual({ ok: true, value: true });
    expect(field.parse('rent', context)).toEqual({ ok: true, value: false });
    expect(field.parse('maybe', context)).toMatchObject({ ok: false, rule: 'type' });
  });

  it('textField: tidied text up to a length', () => {
    const field = textField(shape, 5);
    expect(field.parse('  a  b ', context)).toEqual({ ok: true, value: 'a b' });
    expect(field.parse(12345, context)).toEqual({ ok: true, value: '12345' });
    expect(field.parse('123456', context)).toMatchObject({ ok: false, rule: 'range' });
    expect(field.parse(false, context)).toMatchObject({ ok: false, rule: 'type' });
  });
});
