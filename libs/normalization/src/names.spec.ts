import { hasLetter, splitFullName, tidyName, titleCaseIfSingleCase } from './names';

describe('tidyName', () => {
  it.each([
    ['JOHN', 'John'],
    ['john', 'John'],
    ["mary-jane o'neil", "Mary-Jane O'Neil"],
    ["D'ANGELO", "D'Angelo"],
    ['JOSÉ', 'José'],
    ['McDonald', 'McDonald'],
    ['DeShawn', 'DeShawn'],
    ['  John \t  Paul  ', 'John Paul'],
    ['jean-luc', 'Jean-Luc'],
    ['j.r.', 'J.R.'],
    ['John\u200b', 'John'],
    ['李', '李'],
  ])('%s → %s', (raw, tidy) => {
    expect(tidyName(raw)).toBe(tidy);
  });

  it('leaves text without letters alone', () => {
    expect(titleCaseIfSingleCase('123')).toBe('123');
    expect(hasLetter('123')).toBe(false);
    expect(hasLetter('--')).toBe(false);
    expect(hasLetter('Ana')).toBe(true);
  });
});

describe('splitFullName', () => {
  it.each([
    ['John Q. Public', 'John', 'Public'],
    ['Public, John', 'John', 'Public'],
    ['Public, John Q.', 'John', 'Public'],
    ['JOHN PUBLIC', 'John', 'Public'],
    ['John', 'John', null],
    ['Mr. John Public', 'John', 'Public'],
    ['Dr Jane van der Berg', 'Jane', 'van der Berg'],
    ['Ludwig van Beethoven Jr.', 'Ludwig', 'van Beethoven Jr.'],
    ['John Smith, Jr.', 'John', 'Smith Jr.'],
    ['Maria de la Cruz', 'Maria', 'de la Cruz'],
    ['  john   smith  ', 'John', 'Smith'],
    ['Smith,', null, 'Smith'],
    ['', null, null],
  ])('%s → %s / %s', (full, firstName, lastName) => {
    expect(splitFullName(full)).toEqual({ firstName, lastName });
  });
});
