/**
 * Masks personal data and secrets in log payloads: e-mail addresses and phone numbers inside
 * strings, and whole values under keys that name a secret. Logs never carry them in clear.
 *
 * It runs on every logged string, the request path included, so it must cost time linear in
 * the length of what it scans and scan a bounded length: the e-mail and phone finders below
 * are single passes (no backtracking patterns, which took quadratic time on long runs such as a
 * 15 KB path), and a string longer than {@link MAX_REDACTED_LENGTH} is cut there before it is
 * scanned (a log line is no place for more).
 */
const SECRET_KEY =
  /^(password|passwd|secret|token|access_?token|refresh_?token|api_?key|authorization|cookie|set-cookie|x-api-key|x-provider-key|private_?key|client_?secret|signature|leadflow-signature)$/i;
const PERSONAL_KEY = /^(email|phone|mobile|cell|ssn|date_?of_?birth|dob)$/i;

export const REDACTED = '[redacted]';

/** Strings longer than this are logged cut to it, with a note of how much was left out. */
export const MAX_REDACTED_LENGTH = 8192;

/** A phone candidate needs at least this many characters (a digit, 5 more, a final digit). */
const MIN_PHONE_CHARS = 7;
/** ... and at least this many digits to be masked (shorter runs are counts, dates, ids). */
const MIN_PHONE_DIGITS = 10;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWord = (c: number) => isDigit(c) || isLetter(c) || c === 95; // \w
/** Characters of an e-mail's local part: [A-Za-z0-9._%+-]. */
const isLocal = (c: number) =>
  isDigit(c) || isLetter(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
/** Characters of an e-mail's domain: [A-Za-z0-9.-]. */
const isDomain = (c: number) => isDigit(c) || isLetter(c) || c === 46 || c === 45;
/** Characters inside a phone number: digits, white space and ( ) . - */
const isPhoneInner = (c: number) =>
  isDigit(c) || c === 32 || (c >= 9 && c <= 13) || c === 40 || c === 41 || c === 46 || c === 45;
const isPhoneEdge = (c: number) => isWord(c) || c === 45; // [\w-]: a phone may not touch these

type Span = [start: number, end: number];

/**
 * E-mail addresses: a local part, `@`, a domain whose last label after a dot has two or more
 * letters. One pass: each `@` looks left over the local run it ends and right over its domain
 * run, and the domain runs of two `@` never overlap.
 */
function emailSpans(text: string): Span[] {
  const spans: Span[] = [];
  let localStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 64 /* @ */) {
      if (!isLocal(c)) localStart = i + 1;
      i++;
      continue;
    }
    let runEnd = i + 1;
    while (runEnd < text.length && isDomain(text.charCodeAt(runEnd))) runEnd++;
    const end = localStart < i ? domainEnd(text, i + 1, runEnd) : -1;
    if (end > 0) {
      spans.push([localStart, end]);
      i = end;
    } else {
      i++;
    }
    localStart = i;
  }
  return spans;
}

/** Where the e-mail whose domain run is [from, runEnd) ends, or -1: after the last dot that is
 * followed by two or more letters (and preceded by at least one domain character). */
function domainEnd(text: string, from: number, runEnd: number): number {
  let lettersEnd = -1; // the end of the letter run being walked leftwards
  for (let j = runEnd - 1; j > from; j--) {
    const c = text.charCodeAt(j);
    if (isLetter(c)) {
      if (lettersEnd < 0) lettersEnd = j + 1;
    } else if (c === 46 && lettersEnd >= j + 3) {
      return lettersEnd;
    } else {
      lettersEnd = -1;
    }
  }
  return -1;
}

/**
 * Phone numbers: an optional `+`, a digit, at least five of digits/spaces/`().-`, a final digit,
 * touching no word character or `-` on either side. One pass: a start either matches, or no
 * later start in the same run can (the candidate ends are the same), so the run is skipped.
 */
function phoneSpans(text: string): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    const first = text.charCodeAt(i) === 43 /* + */ ? i + 1 : i;
    if (
      first >= text.length ||
      !isDigit(text.charCodeAt(first)) ||
      (start > 0 && isPhoneEdge(text.charCodeAt(start - 1)))
    ) {
      i++;
      continue;
    }
    let runEnd = first + 1;
    while (runEnd < text.length && isPhoneInner(text.charCodeAt(runEnd))) runEnd++;
    let end = -1;
    for (let k = runEnd - 1; k >= first + MIN_PHONE_CHARS - 1; k--) {
      if (isDigit(text.charCodeAt(k)) && (k + 1 >= text.length || !isPhoneEdge(text.charCodeAt(k + 1)))) {
        end = k + 1;
        break;
      }
    }
    if (end < 0) {
      i = runEnd;
      continue;
    }
    spans.push([start, end]);
    i = end;
  }
  return spans;
}

function countDigits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (isDigit(text.charCodeAt(i))) n++;
  return n;
}

function replaceSpans(text: string, spans: Span[], mask: (start: number, end: number) => string): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + mask(start, end);
    at = end;
  }
  return out + text.slice(at);
}

export function redactText(input: string): string {
  let text = input;
  let cut = '';
  if (text.length > MAX_REDACTED_LENGTH) {
    cut = `…[${text.length - MAX_REDACTED_LENGTH} more characters]`;
    text = text.slice(0, MAX_REDACTED_LENGTH);
  }
  text = replaceSpans(text, emailSpans(text), () => '[email]');
  text = replaceSpans(text, phoneSpans(text), (start, end) =>
    countDigits(text, start, end) >= MIN_PHONE_DIGITS ? '[phone]' : text.slice(start, end),
  );
  return text + cut;
}

export function redactPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactPersonalData(v, depth + 1));
  // Only plain data is walked: errors, and the live request/response objects pino-http hands over
  // (their serializers shape and redact them), would otherwise be copied graph-deep on every line.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) || PERSONAL_KEY.test(key) ? REDACTED : redactPersonalData(v, depth + 1);
  }
  return out;
}
