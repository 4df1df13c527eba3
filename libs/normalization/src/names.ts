import { cleanText } from './scalar-value';

export const MaxNameLength = 100;

export interface NameParts {
  firstName: string | null;
  lastName: string | null;
}

/**
 * Trimmed, white space collapsed, and title-cased only when the vendor shouted or whispered
 * (`JOHN`, `mary-jane o'neil`); a name with mixed case (`McDonald`) is kept as written.
 */
export function tidyName(text: string): string {
  return titleCaseIfSingleCase(cleanText(text));
}

export function titleCaseIfSingleCase(text: string): string {
  const upper = text.toUpperCase();
  const lower = text.toLowerCase();
  if (upper === lower || (text !== upper && text !== lower)) return text;
  return lower.replace(/(^|[\s\-'’.])(\p{L})/gu, (_match, before: string, letter: string) => {
    return before + letter.toUpperCase();
  });
}

/** Whether a tidied name holds at least one letter (`123` or `--` is not a name). */
export function hasLetter(text: string): boolean {
  return /\p{L}/u.test(text);
}

const honorifics = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'rev', 'sir']);
const suffixes = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'v', 'md', 'phd', 'esq', 'dds', 'cpa']);
/** Words that belong to the last name that follows them (`van Gogh`, `de la Cruz`). */
const particles = new Set([
  'van',
  'von',
  'de',
  'der',
  'den',
  'del',
  'della',
  'da',
  'di',
  'du',
  'la',
  'le',
  'st',
  'bin',
  'ibn',
  'al',
]);

/**
 * Splits a full name (tidied as a whole first): `John Q. Public` → John / Public (middle names and initials dropped),
 * `Public, John` → John / Public, `Dr. Ludwig van Beethoven Jr.` → Ludwig / van Beethoven Jr.
 */
export function splitFullName(text: string): NameParts {
  const clean = tidyName(text);
  const comma = clean.indexOf(',');
  if (comma < 0) return splitWords(words(clean));
  const before = words(clean.slice(0, comma));
  const after = words(clean.slice(comma + 1).replace(/,/g, ' '));
  // `John Smith, Jr.`: what follows the comma is a suffix, not a given name.
  if (after.length > 0 && after.every(isSuffix)) return splitWords([...before, ...after]);
  // `Public, John Q.`: last name first.
  const given = after.filter((word) => !isHonorific(word));
  return parts(given[0] ?? null, before.length > 0 ? before.join(' ') : null);
}

function splitWords(all: string[]): NameParts {
  const tokens = all.filter((word, index) => index > 0 || !isHonorific(word));
  const suffix: string[] = [];
  while (tokens.length > 2 && isSuffix(tokens[tokens.length - 1] ?? '')) suffix.unshift(tokens.pop() ?? '');
  const first = tokens[0];
  if (first === undefined) return parts(null, null);
  if (tokens.length === 1) return parts(first, null);
  let start = tokens.length - 1;
  while (start > 1 && particles.has(bare(tokens[start - 1] ?? ''))) start--;
  return parts(first, [...tokens.slice(start), ...suffix].join(' '));
}

function parts(firstName: string | null, lastName: string | null): NameParts {
  return { firstName, lastName };
}

function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '');
}

function bare(word: string): string {
  return word.toLowerCase().replace(/\./g, '');
}

function isHonorific(word: string): boolean {
  return honorifics.has(bare(word));
}

function isSuffix(word: string): boolean {
  return suffixes.has(bare(word));
}
