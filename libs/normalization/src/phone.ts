import type { CountryCode } from 'libphonenumber-js/max';
import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { isAscii } from './scalar-value';

export type PhoneRule = 'phone_invalid' | 'phone_length' | 'phone_fictional' | 'phone_premium';

export type PhoneResult =
  { ok: true; e164: string; extension: string | null } | { ok: false; rule: PhoneRule; reason: string };

export const DefaultRegion: CountryCode = 'US';

/** The region to read national numbers in: the configured one when libphonenumber knows it, else US. */
export function resolveRegion(region: unknown): CountryCode {
  if (typeof region !== 'string') return DefaultRegion;
  const upper = region.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : DefaultRegion;
}

/** `tel:`, `Phone:`, `cell :` ... in front of the number. */
const labelPrefix = /^[a-z][a-z .]{0,19}:\s*/i;
/** `x123`, `ext. 123`, `ext=123`, `;ext=123`, `#123`, `, 123` after the number. */
const extensionSuffix = /\s*(?:[,;]\s*)?(?:ext(?:ension)?\.?\s*[=:]?|x|#|[,;])\s*(\d{1,7})$/i;
/** What is left must look like a dialled number: digits, separators, one leading plus. */
const dialledNumber = /^\(?\+?[\d\s().\-/]+$/;

/**
 * A phone number as E.164. NANP numbers (+1) are judged by their structure, not by
 * libphonenumber's list of assigned area codes, so the 555 numbers of every example pass:
 * area code and exchange are `[2-9]XX` and not `N11` (under area code 555 the exchange may
 * start with 0 or 1: `555-123-4567`); 900 numbers are premium-rate and the 555-0100..0199
 * lines are fictional. Other countries are judged by libphonenumber.
 */
export function normalizePhone(raw: string, region: CountryCode = DefaultRegion): PhoneResult {
  if (raw.length > 200) return invalid('is not a phone number');
  // NFKC turns full-width digits (`５５５`) into ASCII ones; ASCII text it leaves as it is.
  let text = (isAscii(raw) ? raw : raw.normalize('NFKC')).trim().replace(labelPrefix, '');
  let extension: string | null = null;
  const ext = extensionSuffix.exec(text);
  if (ext) {
    extension = ext[1] ?? null;
    text = text.slice(0, ext.index).trim();
  }
  if (!dialledNumber.test(text)) return invalid('is not a phone number');
  const digits = text.replace(/\D/g, '');
  if (digits.length === 0) return invalid('has no digits');

  const result = text.includes('+')
    ? digits.startsWith('1')
      ? nanp(digits.slice(1))
      : international(`+${digits}`)
    : national(digits, region);
  return result.ok ? { ok: true, e164: result.e164, extension } : result;
}

type NumberResult = { ok: true; e164: string } | { ok: false; rule: PhoneRule; reason: string };

function national(digits: string, region: CountryCode): NumberResult {
  if (getCountryCallingCode(region) !== '1') return international(digits, region);
  if (digits.startsWith('011') && digits.length >= 12) return international(`+${digits.slice(3)}`);
  if (digits.length === 11 && digits.startsWith('1')) return nanp(digits.slice(1));
  return nanp(digits);
}

function nanp(national: string): NumberResult {
  if (national.length < 10) return length(`has ${national.length} digits; a US number has 10`);
  if (national.length > 10) return length('has too many digits for a US number');
  const area = national.slice(0, 3);
  const exchange = national.slice(3, 6);
  const line = national.slice(6);
  if (!isNanpCode(area)) return invalid(`has an area code (${area}) that cannot exist`);
  const exchangeOk = area === ExampleAreaCode ? exchange.slice(1) !== '11' : isNanpCode(exchange);
  if (!exchangeOk) return invalid(`has an exchange (${exchange}) that cannot exist`);
  if (area === '900') return { ok: false, rule: 'phone_premium', reason: 'is a premium-rate (900) number' };
  if (exchange === '555' && line >= '0100' && line <= '0199') {
    return { ok: false, rule: 'phone_fictional', reason: 'is in the fictional 555-0100 to 555-0199 range' };
  }
  return { ok: true, e164: `+1${national}` };
}

/**
 * The area code of every example in our docs and vendors' test leads (`555-123-4567`). It is
 * not assigned to any place, so its exchanges are not held to the `[2-9]XX` rule either.
 */
const ExampleAreaCode = '555';

/** `[2-9]XX`, not `N11` (211, 311, ... 911 are service codes). */
function isNanpCode(code: string): boolean {
  return /^[2-9]\d\d$/.test(code) && code.slice(1) !== '11';
}

function international(text: string, region?: CountryCode): NumberResult {
  switch (validatePhoneNumberLength(text, region)) {
    case 'TOO_SHORT':
      return length('has too few digits');
    case 'TOO_LONG':
      return length('has too many digits');
    case 'INVALID_LENGTH':
      return length('has the wrong number of digits');
    case 'NOT_A_NUMBER':
    case 'INVALID_COUNTRY':
      return invalid('is not a phone number');
    case undefined:
      break;
  }
  const parsed = parsePhoneNumberFromString(text, region);
  if (!parsed) return invalid('is not a phone number');
  if (parsed.countryCallingCode === '1') return nanp(parsed.nationalNumber);
  if (!parsed.isValid()) return invalid('is not a valid number');
  if (parsed.getType() === 'PREMIUM_RATE') {
    return { ok: false, rule: 'phone_premium', reason: 'is a premium-rate number' };
  }
  return { ok: true, e164: parsed.number };
}

function invalid(reason: string): NumberResult & { ok: false } {
  return { ok: false, rule: 'phone_invalid', reason };
}

function length(reason: string): NumberResult & { ok: false } {
  return { ok: false, rule: 'phone_length', reason };
}
