import { titleCaseIfSingleCase } from './names';
import { cleanText, isAscii } from './scalar-value';

export const MaxAddressLineLength = 200;
export const MaxCityLength = 100;

/** USPS codes of the 50 states, DC and the inhabited territories, with their names. */
const stateNames: Readonly<Record<string, string>> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  DC: 'District of Columbia',
  PR: 'Puerto Rico',
  GU: 'Guam',
  VI: 'U.S. Virgin Islands',
  AS: 'American Samoa',
  MP: 'Northern Mariana Islands',
};

export const StateCodes: readonly string[] = Object.keys(stateNames);

/** Other spellings people use, already in the `stateKey` form. */
const otherStateNames: Readonly<Record<string, string>> = {
  washingtondc: 'DC',
  washingtondistrictofcolumbia: 'DC',
  virginislands: 'VI',
  usvirginislands: 'VI',
  unitedstatesvirginislands: 'VI',
  northernmarianas: 'MP',
  commonwealthofpuertorico: 'PR',
};

const notLetter = /[^a-z]/g;

const stateByKey: ReadonlyMap<string, string> = new Map([
  ...Object.entries(stateNames).flatMap(([code, name]) => [
    [stateKey(code), code] as const,
    [stateKey(name), code] as const,
  ]),
  ...Object.entries(otherStateNames),
]);

/** `CA`, `ca`, `C.A.`, `California`, `new york`, `Washington, D.C.` → the USPS code; null when unknown. */
export function normalizeState(raw: string): string | null {
  if (raw.length > 100) return null;
  return stateByKey.get(stateKey(raw)) ?? null;
}

function stateKey(text: string): string {
  // NFKD strips accents (`Nuevo México`); ASCII text it leaves as it is.
  const decomposed = isAscii(text) ? text : text.normalize('NFKD');
  return decomposed.toLowerCase().replace(notLetter, '');
}

/**
 * `12345`, `12345-6789`, `12345 6789`, `123456789` → `12345` or `12345-6789`. A ZIP that lost
 * its leading zero in a spreadsheet (`2134`, `2134-5678`, `21345678`) gets it back. `00000` is
 * not a ZIP. Null when not a ZIP.
 */
export function normalizeZip(raw: string | number): string | null {
  const text = typeof raw === 'number' ? (Number.isInteger(raw) && raw >= 0 ? String(raw) : '') : raw.trim();
  if (text.length > 20) return null;
  const match = /^(\d{4,5})(?:\s*[-\s]\s*(\d{4}))?$/.exec(text) ?? /^(\d{4,5})(\d{4})$/.exec(text);
  if (!match) return null;
  const zip5 = (match[1] ?? '').padStart(5, '0');
  const plus4 = match[2];
  if (zip5 === '00000') return null;
  return plus4 === undefined ? zip5 : `${zip5}-${plus4}`;
}

/** A street line as written, with white space tidied. */
export function tidyAddressLine(text: string): string {
  return cleanText(text);
}

/** A city, title-cased only when written all upper or all lower case (`NEW YORK` → New York). */
export function tidyCity(text: string): string {
  return titleCaseIfSingleCase(cleanText(text));
}
