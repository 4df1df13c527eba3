import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Registered } from './stack';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack } from './stack';

/**
 * Property-based fuzzing of vendor intake through the gateway: ten thousand generated posts
 * (wrong types, huge and strange text, nested junk, prototype keys, mutated plausible leads, bad
 * media types, form bodies, invalid JSON, empty and oversized bodies) from 32 concurrent vendors.
 *
 * Reproducible: every case comes from `fc.sample(fuzzCase, { seed: SEED })`, so case #i is the
 * same on every run; failing cases are printed and written in full to tmp/intake-fuzz-failures.json.
 * Change SEED (and FUZZ_CASES) to explore further.
 */
const SEED = 20_261_123;
const FUZZ_CASES = 10_000;
const WORKERS = 32;
/** `express.raw({ limit: '256kb' })` of the intake route. */
const BODY_LIMIT = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// What a case is
// ---------------------------------------------------------------------------------------------

/** A JSON document as a tree, so keys like `__proto__`, duplicate keys and raw number text survive. */
type JsonNode =
  | { t: 'value'; v: string | number | boolean | null }
  | { t: 'raw'; text: string }
  | { t: 'list'; items: JsonNode[] }
  | { t: 'object'; entries: [string, JsonNode][] };

type BodySpec =
  | { kind: 'lead'; entries: [string, JsonNode][] }
  | { kind: 'object'; entries: [string, JsonNode][] }
  | { kind: 'value'; node: JsonNode }
  | { kind: 'deep'; depth: number; shape: 'list' | 'object' }
  | { kind: 'invalid-json'; text: string }
  | { kind: 'binary'; bytes: number[] }
  | { kind: 'empty'; text: string }
  | { kind: 'raw-form'; text: string }
  | { kind: 'multipart'; entries: [string, JsonNode][] }
  | { kind: 'xml'; entries: [string, JsonNode][] }
  | { kind: 'sized'; size: number; fill: string };

type Encoding = 'json' | 'json-latin1' | 'form';
type Credentials = 'valid' | 'wrong-key' | 'none' | 'bad-id';
type Target = 'webhook' | 'unknown-webhook' | 'not-a-uuid';

interface CaseSpec {
  body: BodySpec;
  encoding: Encoding;
  contentType: string | null;
  idempotencyKey: string | null;
  credentials: Credentials;
  target: Target;
}

interface FuzzCase {
  index: number;
  spec: CaseSpec;
  body: Buffer;
  /** What the post may be answered with (anything else is a failure). */
  expected: readonly number[];
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  problem: { code?: unknown; errors?: unknown } | null;
  intake: {
    leadId?: unknown;
    contactId?: unknown;
    status?: unknown;
    originalLeadId?: unknown;
    replayed?: unknown;
  } | null;
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// Encoding bodies
// ---------------------------------------------------------------------------------------------

const value = (v: string | number | boolean | null): JsonNode => ({ t: 'value', v });

function toJson(node: JsonNode): string {
  switch (node.t) {
    case 'value':
      return JSON.stringify(node.v) ?? 'null';
    case 'raw':
      return node.text;
    case 'list':
      return `[${node.items.map(toJson).join(',')}]`;
    case 'object':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
}

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD, as any encoder would send them). */
function percent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `a[b][c]=x&list[]=1` — qs-style bracket notation for nested values. */
function toForm(entries: [string, JsonNode][]): string {
  const pairs: string[] = [];
  const walk = (key: string, node: JsonNode): void => {
    switch (node.t) {
      case 'value':
        pairs.push(`${key}=${node.v === null ? '' : percent(String(node.v))}`);
        return;
      case 'raw':
        pairs.push(`${key}=${percent(node.text)}`);
        return;
      case 'list':
        if (node.items.length === 0) pairs.push(`${key}[]=`);
        node.items.forEach((item, i) => walk(i % 2 === 0 ? `${key}[]` : `${key}[${i}]`, item));
        return;
      case 'object':
        if (node.entries.length === 0) pairs.push(`${key}=`);
        for (const [k, v] of node.entries) walk(`${key}[${percent(k)}]`, v);
        return;
    }
  };
  for (const [k, v] of entries) walk(percent(k), v);
  return pairs.join('&');
}

function encodeBody(spec: CaseSpec): Buffer {
  const { body, encoding } = spec;
  const structured = (entries: [string, JsonNode][]): string =>
    encoding === 'form' ? toForm(entries) : toJson({ t: 'object', entries });
  const text = (() => {
    switch (body.kind) {
      case 'lead':
      case 'object':
        return structured(body.entries);
      case 'value':
        return encoding === 'form' ? toForm([['value', body.node]]) : toJson(body.node);
      case 'deep':
        if (encoding === 'form') return `lead${'[a]'.repeat(body.depth)}=deep`;
        return body.shape === 'list'
          ? `${'['.repeat(body.depth)}${']'.repeat(body.depth)}`
          : `${'{"a":'.repeat(body.depth)}1${'}'.repeat(body.depth)}`;
      case 'invalid-json':
      case 'empty':
      case 'raw-form':
        return body.text;
      case 'binary':
        return null;
      case 'multipart':
        return [
          '--fuzzboundary',
          ...body.entries.flatMap(([k, v]) => [
            `Content-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"`,
            '',
            toJson(v),
            '--fuzzboundary',
          ]),
          '--fuzzboundary--',
          '',
        ].join('\r\n');
      case 'xml':
        return `<?xml version="1.0"?><lead>${body.entries
          .map(
            ([k, v]) =>
              `<field name="${k.replace(/[<>&"]/g, '_')}">${toJson(v).replace(/[<>&]/g, '_')}</field>`,
          )
          .join('')}</lead>`;
      case 'sized': {
        // A plausible lead padded with `notes` to exactly `size` bytes (when the fill is 1 byte).
        const head = `{"firstName":"Padded","email":"padded.${body.size}@example.com","notes":"`;
        const tail = '"}';
        const room = Math.max(0, body.size - Buffer.byteLength(head + tail));
        return head + body.fill.repeat(room) + tail;
      }
    }
  })();
  if (text === null) return Buffer.from(body.kind === 'binary' ? body.bytes : []);
  return Buffer.from(text, encoding === 'json-latin1' ? 'latin1' : 'utf8');
}

// ---------------------------------------------------------------------------------------------
// What each case must be answered with
// ---------------------------------------------------------------------------------------------

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function mediaClass(contentType: string | null): 'json' | 'form' | 'other' {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json')))
    return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

/**
 * The contract, from the outside: an oversized body is 413 whatever else is wrong; an unknown
 * webhook 404; bad credentials 401; an unsupported media type 415; an empty body 422; JSON that
 * does not parse 400; anything that parses is stored (201), recognised as already stored (200)
 * or refused field by field (422).
 */
function expectedStatuses(spec: CaseSpec, body: Buffer): readonly number[] {
  if (body.length > BODY_LIMIT) return [413];
  if (spec.target !== 'webhook') return [404];
  if (spec.credentials !== 'valid') return [401];
  const media = mediaClass(spec.contentType);
  if (media === 'other') return [415];
  const text = body.toString('utf8');
  if (text.trim() === '') return [422];
  if (media === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [400];
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [422];
  }
  if (spec.idempotencyKey !== null && !IDEMPOTENCY_KEY.test(spec.idempotencyKey)) return [422];
  return [200, 201, 422];
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const strangeText = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '\u200f\u200e',
  'שלום עולם',
  'مرحبا بالعالم',
  '😀👍🏽👨‍👩‍👧‍👦🇺🇸',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  'e\u0301\u0301\u0301',
  'ＡＢＣ１２３',
  '\r\n\t\v\f',
  ' ',
  '',
  'null',
  'N/A',
  'undefined',
  '-',
  '<script>alert(1)</script>',
  "'; DROP TABLE ingestion.leads; --",
  '${jndi:ldap://x/a}',
  '%00%ff',
  '\\u0000',
  'NaN',
  'Infinity',
  '0x1F',
  '   John   ',
  '\u0085\u2028\u2029',
  '\u{1F600}'.repeat(50),
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '9'.repeat(40),
);

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 4, arbitrary: strangeText },
);

/** Text of 10 KB to 200 KB: over every per-field limit, under the body limit. */
const hugeText = fc
  .tuple(
    fc.constantFrom('x', 'é', '😀', 'ab\u0000', '\u202e', '9', 'Ab '),
    fc.integer({ min: 10_001, max: 200_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const rawNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '-0',
  '0.0000000000000000001',
  '1E+2',
  '4.2e-320',
);

const leaf: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 5, arbitrary: text.map(value) },
  { weight: 2, arbitrary: fc.integer().map(value) },
  { weight: 1, arbitrary: fc.double().map((d) => value(Number.isFinite(d) ? d : null)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 2 ** 53 + 1, 1e21, 5e-324).map(value) },
  { weight: 1, arbitrary: fc.boolean().map(value) },
  { weight: 1, arbitrary: fc.constant(value(null)) },
  { weight: 1, arbitrary: rawNumber.map((t): JsonNode => ({ t: 'raw', text: t })) },
);

/** Field names the normalizer looks for, prototype keys, and junk. */
const key = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'firstName',
      'first_name',
      'lastName',
      'last_name',
      'fullName',
      'name',
      'phone',
      'phone_number',
      'cell',
      'email',
      'email_address',
      'address',
      'address2',
      'city',
      'state',
      'zip',
      'zip_code',
      'externalId',
      'lead_id',
      'consent',
      'tcpa',
      'consent_text',
      'trustedform_cert_url',
      'jornaya_lead_id',
      'ip_address',
      'utm_source',
      'landing_page_url',
      'monthly_electric_bill',
      'homeowner',
      'roof_age',
      'roof_condition',
      'shade',
      'utility_company',
      'property_type',
      'lead',
      'contact',
      'solar',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a.b',
      'consent.granted',
      '[]',
      '😀',
      'ＰＨＯＮＥ',
      'Phone Number',
      'e-mail',
    ),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
);

const { node: anyNode } = fc.letrec<{ node: JsonNode; list: JsonNode; object: JsonNode }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('object')),
  list: fc.array(tie('node'), { maxLength: 5 }).map((items): JsonNode => ({ t: 'list', items })),
  object: fc
    .array(fc.tuple(key, tie('node')), { maxLength: 6 })
    .map((entries): JsonNode => ({ t: 'object', entries })),
}));

const junkEntries = fc.array(fc.tuple(key, anyNode), { maxLength: 10 });

const areaCodes = ['415', '628', '650', '212', '305', '512', '303', '917', '718', '602'];
const validNumber = fc
  .tuple(fc.constantFrom(...areaCodes), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
  .filter(([, exchange]) => exchange % 100 !== 11 && exchange !== 555)
  .map(([area, exchange, line]) => ({
    area,
    exchange: String(exchange),
    line: String(line).padStart(4, '0'),
  }));
const phone = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(validNumber, fc.integer({ min: 0, max: 6 }))
      .map(
        ([{ area, exchange, line }, format]) =>
          [
            `(${area}) ${exchange}-${line}`,
            `${area}-${exchange}-${line}`,
            `+1 ${area} ${exchange} ${line}`,
            `${area}${exchange}${line}`,
            `1-${area}-${exchange}-${line}`,
            `${area}.${exchange}.${line} x12`,
            `tel:+1${area}${exchange}${line}`,
          ][format],
      ),
  },
  // A few people who come back: person-duplicates within the window.
  { weight: 1, arbitrary: fc.constantFrom('(415) 626-0001', '(415) 626-0002', '628-777-0003') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '(212) 555-0123',
      '900-234-5678',
      '123',
      'call me',
      '+44 20 7946 0958',
      '+999 1',
      '',
    ),
  },
);
const email = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom('john', 'MARIA', 'zoë', 'li.wei', 'o+tag'), fc.nat())
      .map(([local, n]) => ` ${local}.${n}@Example.com `),
  },
  { weight: 1, arbitrary: fc.constantFrom('returning.one@example.com', 'returning.two@example.com') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('not-an-email', 'a@b', 'x@example..com', '@example.com', 'ü@ü.de'),
  },
);

/** A lead a real vendor might send, in one of three spellings, before mutation. */
const plausibleLead = fc
  .record({
    spelling: fc.constantFrom('camel', 'snake', 'nested'),
    firstName: fc.constantFrom('John', 'María', 'Zoë', '李', 'Ahmed', "O'Brien", 'Anne-Marie', ' JOHN '),
    lastName: fc.constantFrom('Smith', 'García', 'Nguyen', 'van der Berg', 'smith', "D'Angelo"),
    phone: fc.option(phone, { freq: 6 }),
    email: fc.option(email, { freq: 4 }),
    state: fc.option(fc.constantFrom('CA', 'California', 'tx', 'NY', 'new york', 'Fla.', 'Ontario'), {
      freq: 3,
    }),
    zip: fc.option(fc.constantFrom<string | number>('90210', '10001-1234', '02134', 94103, '941', 'ABCDE'), {
      freq: 3,
    }),
    externalId: fc.option(
      fc.oneof(
        fc.nat().map((n) => `v-${n}`),
        fc.integer({ min: 1, max: 20 }).map((n) => `repeat-${n}`),
      ),
      { freq: 2 },
    ),
    bill: fc.option(fc.constantFrom<string | number>('$250', 250, '250.5', '$1,200.00', '180 USD', 'lots'), {
      freq: 2,
    }),
    homeowner: fc.option(fc.constantFrom<string | boolean>('yes', 'no', true, 'maybe'), { freq: 2 }),
    consent: fc.option(fc.constantFrom<string | boolean>(true, 'yes', 'no', 'checked'), { freq: 2 }),
  })
  .map((lead): [string, JsonNode][] => {
    const snake = lead.spelling !== 'camel';
    const contact: [string, JsonNode][] = [
      [snake ? 'first_name' : 'firstName', value(lead.firstName)],
      [snake ? 'last_name' : 'lastName', value(lead.lastName)],
    ];
    if (lead.phone !== null) contact.push([snake ? 'phone_number' : 'phone', value(lead.phone)]);
    if (lead.email !== null) contact.push([snake ? 'email_address' : 'email', value(lead.email)]);
    if (lead.state !== null) contact.push(['state', value(lead.state)]);
    if (lead.zip !== null) contact.push([snake ? 'zip_code' : 'zip', value(lead.zip)]);
    const entries: [string, JsonNode][] =
      lead.spelling === 'nested' ? [['contact', { t: 'object', entries: contact }]] : contact;
    if (lead.externalId !== null) entries.push([snake ? 'lead_id' : 'externalId', value(lead.externalId)]);
    if (lead.bill !== null) entries.push(['monthly_electric_bill', value(lead.bill)]);
    if (lead.homeowner !== null) entries.push(['homeowner', value(lead.homeowner)]);
    if (lead.consent !== null) {
      entries.push([
        'consent',
        {
          t: 'object',
          entries: [
            ['granted', value(lead.consent)],
            ['text', value('I agree to be called')],
            ['trustedFormCertUrl', value('https://cert.trustedform.com/abc123')],
          ],
        },
      ]);
    }
    entries.push(['utm_source', value('facebook')]);
    return entries;
  });

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'set'; at: number; node: JsonNode }
  | { op: 'add'; key: string; node: JsonNode }
  | { op: 'huge'; key: string; text: string }
  | { op: 'pollute'; key: string; node: JsonNode };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 16, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), node: anyNode }) },
  { weight: 12, arbitrary: fc.record({ op: fc.constant('add' as const), key, node: anyNode }) },
  {
    // Rare: every one is a 10–200 KB body, and 10,000 cases must stay well under two minutes.
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('huge' as const),
      key: fc.constantFrom('notes', 'firstName', 'phone', 'city'),
      text: hugeText,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('pollute' as const),
      key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
      node: fc.constantFrom<JsonNode>(
        {
          t: 'object',
          entries: [
            ['polluted', value('yes')],
            ['phone', value('(415) 626-0009')],
          ],
        },
        { t: 'object', entries: [['prototype', { t: 'object', entries: [['polluted', value('yes')]] }]] },
        value('x'),
      ),
    }),
  },
);

function mutate(entries: [string, JsonNode][], mutations: Mutation[]): [string, JsonNode][] {
  const out = [...entries];
  for (const m of mutations) {
    switch (m.op) {
      case 'drop':
        if (out.length > 0) out.splice(m.at % out.length, 1);
        break;
      case 'set':
        if (out.length > 0) out[m.at % out.length] = [out[m.at % out.length][0], m.node];
        break;
      case 'add':
        out.push([m.key, m.node]);
        break;
      case 'huge':
        out.push([m.key, value(m.text)]);
        break;
      case 'pollute':
        out.unshift([m.key, m.node]);
        break;
    }
  }
  return out;
}

const invalidJson = fc
  .oneof(
    plausibleLead.chain((entries) => {
      const json = toJson({ t: 'object', entries });
      return fc.integer({ min: 1, max: Math.max(1, json.length - 1) }).map((cut) => json.slice(0, cut));
    }),
    fc.constantFrom(
      '{"firstName":"A",}',
      "{'firstName':'A'}",
      '{"phone": NaN}',
      '{"a":1}{"b":2}',
      '{"a":"\u0001"}',
      '\ufeff{"firstName":"Bom","email":"bom@example.com"}',
      'undefined',
      '{firstName: "A"}',
      '{"a":1 /* comment */}',
      '{"email":"a@example.com"',
      '[',
      '{"a":"\\x41"}',
      '{"a":"\\ud800\\u"}',
      'first_name=Form&email=form@example.com',
    ),
    fc.string({ minLength: 1, maxLength: 40 }),
  )
  .filter((t) => t.trim() !== '' && !parses(t));

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const rawForm = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'a[b][c]=',
        'a[b][c]=1',
        'lead[contact][phone]=(415) 626-0004',
        'first_name=Form&email=form.user@example.com',
        '__proto__[polluted]=1',
        'constructor[prototype][polluted]=1',
        '__proto__=x',
        'phone=1&phone=2&phone[]=3',
        'email[]=a@example.com&email[]=b@example.com',
        'x[0]=a&x[1]=b&x[100]=c',
        'deep[a][b][c][d][e][f][g][h]=1',
        'a[[[[=1',
        '%zz=%',
        '%',
        '&&&',
        '=',
        '==',
        '%E0%A4%A=x',
        'name=%00%00',
        'name=%E2%80%AE%D7%A9',
        'email=%F0%9F%98%80%40example.com',
        'consent=yes&tcpa[granted]=1',
        'a=' + 'b'.repeat(5000),
      ),
      fc.tuple(key, text).map(([k, v]) => `${percent(k)}=${percent(v)}`),
      fc.string({ maxLength: 20 }),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join('&'));

const manyParams = fc
  .integer({ min: 900, max: 2500 })
  .map((n) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&') + '&email=many.params@example.com');

const bodySpec: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc
      .tuple(
        plausibleLead,
        fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { minLength: 1, maxLength: 3 })),
      )
      .map(([entries, mutations]): BodySpec => ({ kind: 'lead', entries: mutate(entries, mutations) })),
  },
  { weight: 14, arbitrary: junkEntries.map((entries): BodySpec => ({ kind: 'object', entries })) },
  { weight: 7, arbitrary: anyNode.map((node): BodySpec => ({ kind: 'value', node })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        depth: fc.integer({ min: 6, max: 20_000 }),
        shape: fc.constantFrom<'list' | 'object'>('list', 'object'),
      })
      .map((d): BodySpec => ({ kind: 'deep', ...d })),
  },
  { weight: 9, arbitrary: invalidJson.map((t): BodySpec => ({ kind: 'invalid-json', text: t })) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.nat({ max: 255 }), { maxLength: 2000 })
      .map((bytes): BodySpec => ({ kind: 'binary', bytes })),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', ' ', '\n\t ', '\ufeff').map((t): BodySpec => ({ kind: 'empty', text: t })),
  },
  { weight: 8, arbitrary: rawForm.map((t): BodySpec => ({ kind: 'raw-form', text: t })) },
  { weight: 1, arbitrary: manyParams.map((t): BodySpec => ({ kind: 'raw-form', text: t })) },
  { weight: 2, arbitrary: plausibleLead.map((entries): BodySpec => ({ kind: 'multipart', entries })) },
  { weight: 2, arbitrary: plausibleLead.map((entries): BodySpec => ({ kind: 'xml', entries })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        size: fc.oneof(
          fc.integer({ min: BODY_LIMIT + 1, max: 320 * 1024 }),
          fc.constantFrom(BODY_LIMIT - 1, BODY_LIMIT, BODY_LIMIT + 1, 300 * 1024),
        ),
        fill: fc.constantFrom('x', ' ', '0'),
      })
      .map((s): BodySpec => ({ kind: 'sized', ...s })),
  },
);

const contentTypes: Record<Encoding | 'other', readonly (string | null)[]> = {
  json: [
    'application/json', // twice: what most vendors send
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.leads+json',
  ],
  'json-latin1': ['application/json; charset=latin1', 'application/json; charset=iso-8859-1'],
  form: ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'],
  other: [
    'text/plain',
    'application/xml',
    'text/xml',
    'multipart/form-data; boundary=fuzzboundary',
    null,
    '',
    'application/octet-stream',
    'text/json',
    'application/jsonp',
    'json',
  ],
};

/** Bodies mostly travel with their own media type; a fifth are sent with a wrong or missing one. */
function naturalEncoding(body: BodySpec): Encoding | 'other' {
  switch (body.kind) {
    case 'raw-form':
      return 'form';
    case 'multipart':
    case 'xml':
      return 'other';
    case 'lead':
    case 'object':
    case 'value':
    case 'deep':
    case 'invalid-json':
    case 'binary':
    case 'empty':
    case 'sized':
      return 'json';
  }
}

const idempotencyKey = fc.oneof(
  { weight: 12, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
  { weight: 1, arbitrary: fc.constantFrom('order-1', 'order-2', 'order-3') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('has space', 'x'.repeat(201), 'tab\there', 'caf\u00e9', '\u00ff\u00fe'),
  },
);

const fuzzCase: fc.Arbitrary<CaseSpec> = fc
  .record({
    body: bodySpec,
    retype: fc.nat({ max: 99 }),
    typeIndex: fc.nat(),
    otherType: fc.nat(),
    idempotencyKey,
    credentials: fc.oneof(
      { weight: 96, arbitrary: fc.constant<Credentials>('valid') },
      { weight: 4, arbitrary: fc.constantFrom<Credentials>('wrong-key', 'none', 'bad-id') },
    ),
    target: fc.oneof(
      { weight: 98, arbitrary: fc.constant<Target>('webhook') },
      { weight: 2, arbitrary: fc.constantFrom<Target>('unknown-webhook', 'not-a-uuid') },
    ),
  })
  .map(({ body, retype, typeIndex, otherType, idempotencyKey: key, credentials, target }): CaseSpec => {
    const natural = naturalEncoding(body);
    // 80 %: the body's own media type; 10 %: a JSON/form swap or latin1; 10 %: an unsupported type.
    const chosen: Encoding | 'other' =
      retype < 80
        ? natural
        : retype < 90
          ? (['json-latin1', 'form', 'json'] as const)[typeIndex % 3]
          : 'other';
    const types = contentTypes[chosen];
    const contentType = types[(chosen === 'other' ? otherType : typeIndex) % types.length];
    const encoding: Encoding = chosen === 'other' ? 'json' : chosen;
    return { body, encoding, contentType, idempotencyKey: key, credentials, target };
  });

function buildCases(): FuzzCase[] {
  return fc.sample(fuzzCase, { seed: SEED, numRuns: FUZZ_CASES }).map((spec, index) => {
    const body = encodeBody(spec);
    return { index, spec, body, expected: expectedStatuses(spec, body) };
  });
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

interface CreatedWebhook {
  id: string;
}
interface CreatedProvider {
  id: string;
  apiKey: string;
}

const userAgentOf = (index: number): string => `leadflow-fuzz/${SEED}/${index}`;

function preview(c: FuzzCase): string {
  const text = c.body.toString('utf8');
  const shown = text.length > 240 ? `${text.slice(0, 240)}… (${c.body.length} bytes)` : text;
  return (
    `case #${c.index} (seed ${SEED}) ${c.spec.body.kind}, content-type ${JSON.stringify(c.spec.contentType)}, ` +
    `credentials ${c.spec.credentials}, target ${c.spec.target}, idempotency-key ${JSON.stringify(c.spec.idempotencyKey)}, ` +
    `expected ${c.expected.join('/')}: ${JSON.stringify(shown)}`
  );
}

describe('lead intake under fuzzing (gateway + identity + ingestion, real PostgreSQL, Redis)', () => {
  const stack = new IntakeStack('intake-fuzz', { basePort: 14500 });
  let owner: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('fuzz');
    // The free plan takes 500 leads a month; the fuzz stores thousands.
    await stack.unlimitedPlan(owner);
    webhook = await webhooks.createWebhook<CreatedWebhook>(stack, owner, {
      name: 'Fuzzed vendor',
      vertical: 'solar',
      rateLimit: 1_000_000,
    });
    provider = await providers.createProvider<CreatedProvider>(stack, owner, {
      name: 'Fuzz Leads',
      hourlyLimit: 10_000_000,
    });
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  const send = async (c: FuzzCase): Promise<Answer> => {
    const path =
      c.spec.target === 'webhook'
        ? webhook.id
        : c.spec.target === 'unknown-webhook'
          ? '00000000-0000-7000-8000-00000000f000'
          : 'not-a-uuid';
    const headers: Record<string, string> = { 'user-agent': userAgentOf(c.index) };
    if (c.spec.contentType !== null) headers['content-type'] = c.spec.contentType;
    if (c.spec.idempotencyKey !== null) headers['idempotency-key'] = c.spec.idempotencyKey;
    switch (c.spec.credentials) {
      case 'valid':
        Object.assign(headers, { 'x-provider-id': provider.id, 'x-provider-key': provider.apiKey });
        break;
      case 'wrong-key':
        Object.assign(headers, { 'x-provider-id': provider.id, 'x-provider-key': 'lfp_wrong' });
        break;
      case 'bad-id':
        Object.assign(headers, { 'x-provider-id': 'nope', 'x-provider-key': provider.apiKey });
        break;
      case 'none':
        break;
    }
    const started = performance.now();
    const res = await fetch(`${stack.gateway}/webhooks/leads/${path}`, {
      method: 'POST',
      headers,
      body: c.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const record = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : null;
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text,
      problem: res.status >= 400 ? record : null,
      intake: res.status < 300 ? record : null,
      ms: performance.now() - started,
    };
  };

  /**
   * For a 5xx: what the ingestion process logged about it, found by the problem's requestId (asked
   * after the run: the log line may reach stdout after the answer).
   */
  const serverError = (a: Answer): string => {
    const requestId = (a.problem as { requestId?: unknown } | null)?.requestId;
    const logged = stack
      .process('ingestion-0')
      .jsonLines()
      .find(
        (line) =>
          line.err !== undefined &&
          (line.requestId === requestId || (line.req as { id?: unknown } | undefined)?.id === requestId),
      );
    const err = logged?.err as { type?: string; message?: string } | undefined;
    return err
      ? ` — ingestion logged ${err.type ?? 'an error'}: ${err.message ?? ''}`
      : `: ${a.text.slice(0, 300)}`;
  };

  /** What is wrong with one answer, judged on its own. */
  const judge = (c: FuzzCase, a: Answer): string[] => {
    const wrong: string[] = [];
    if (a.status >= 500) wrong.push(`answered ${a.status}`);
    else if (!c.expected.includes(a.status)) {
      wrong.push(`answered ${a.status}, expected ${c.expected.join('/')}: ${a.text.slice(0, 300)}`);
    }
    if (a.status >= 400 && a.status < 500) {
      if (!a.contentType.startsWith('application/problem+json'))
        wrong.push(`${a.status} as ${a.contentType}, not problem+json`);
      if (typeof a.problem?.code !== 'string' || a.problem.code === '')
        wrong.push(`${a.status} without a code: ${a.text.slice(0, 300)}`);
    }
    if (a.status === 422) {
      const errors = a.problem?.errors;
      const valid =
        Array.isArray(errors) &&
        errors.length > 0 &&
        errors.every(
          (e: unknown) =>
            typeof e === 'object' &&
            e !== null &&
            typeof (e as { field?: unknown }).field === 'string' &&
            (e as { field: string }).field !== '' &&
            typeof (e as { rule?: unknown }).rule === 'string' &&
            (e as { rule: string }).rule !== '',
        );
      if (!valid) wrong.push(`422 without errors[] of { field, rule }: ${a.text.slice(0, 300)}`);
    }
    if (a.status === 201 && (typeof a.intake?.leadId !== 'string' || a.intake.status !== 'new')) {
      wrong.push(`201 without a new lead: ${a.text.slice(0, 300)}`);
    }
    if (
      a.status === 200 &&
      (typeof a.intake?.leadId !== 'string' ||
        (a.intake.replayed !== true && typeof a.intake.originalLeadId !== 'string'))
    ) {
      wrong.push(`200 that is neither a replay nor a linked duplicate: ${a.text.slice(0, 300)}`);
    }
    return wrong;
  };

  it(`answers ${FUZZ_CASES.toLocaleString('en-US')} generated posts without a 5xx, with problem details, and stores nothing partial`, async () => {
    const generationStarted = performance.now();
    const cases = buildCases();
    const generationMs = performance.now() - generationStarted;
    process.stdout.write(
      `[intake-fuzz] seed ${SEED}: ${cases.length} cases generated in ${(generationMs / 1000).toFixed(1)} s ` +
        `(${(cases.reduce((n, c) => n + c.body.length, 0) / 1024 / 1024).toFixed(1)} MB of bodies)\n`,
    );

    const answers = new Map<number, Answer>();
    const failures = new Map<number, string[]>();
    const fail = (c: FuzzCase, why: string): void => {
      failures.set(c.index, [...(failures.get(c.index) ?? []), why]);
    };
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = next++; i < cases.length; i = next++) {
          const c = cases[i];
          try {
            const answer = await send(c);
            answers.set(c.index, answer);
            for (const why of judge(c, answer)) fail(c, why);
          } catch (error) {
            const cause = (error as { cause?: { message?: string } }).cause?.message;
            fail(c, `no answer: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;

    // The canary: no key of any fuzzed body reached Object.prototype in the service.
    const canaryEmail = `canary.${SEED}@example.com`;
    const canary = await stack.call<{ leadId: string }>('POST', `/webhooks/leads/${webhook.id}`, {
      body: { firstName: 'Canary', email: canaryEmail },
      headers: { 'x-provider-id': provider.id, 'x-provider-key': provider.apiKey },
    });
    expect(canary.status).toBe(201);
    const canaryLead = await stack.call<Record<string, unknown>>(
      'GET',
      `/api/v1/leads/${canary.body.leadId}`,
      {
        token: owner.accessToken,
      },
    );
    expect(canaryLead.body).toMatchObject({
      phone: null,
      attributes: expect.objectContaining({ extra: {} }),
    });
    expect(canaryLead.body).not.toHaveProperty('polluted');

    // --- what the database holds must match the answers exactly ----------------------------------
    const rows = await stack.db.query<{
      id: string;
      user_agent: string | null;
      outcome: string;
      http_status: number;
      code: string | null;
      lead_id: string | null;
    }>(
      `SELECT id, user_agent, outcome, http_status, code, lead_id FROM ingestion.intake_requests WHERE webhook_id = $1`,
      [webhook.id],
    );
    const leads = await stack.db.query<{
      id: string;
      status: string;
      request_id: string | null;
      duplicate_of_lead_id: string | null;
      has_contact: boolean;
      own_rows: number;
      creating_rows: number;
    }>(
      `SELECT l.id, l.status, l.request_id, l.duplicate_of_lead_id, c.id IS NOT NULL AS has_contact,
              (SELECT count(*)::int FROM ingestion.intake_requests r
                WHERE r.id = l.request_id AND r.lead_id = l.id
                  AND r.outcome = CASE WHEN l.status = 'duplicate' THEN 'duplicate' ELSE 'accepted' END) AS own_rows,
              (SELECT count(*)::int FROM ingestion.intake_requests r
                WHERE r.lead_id = l.id AND r.outcome IN ('accepted', 'duplicate')
                  AND r.code IS DISTINCT FROM 'replayed') AS creating_rows
         FROM ingestion.leads l LEFT JOIN ingestion.contacts c ON c.id = l.contact_id
        WHERE l.organization_id = $1`,
      [owner.organization.id],
    );
    const leadById = new Map(leads.rows.map((l) => [l.id, l]));
    const rowsByAgent = new Map<string, typeof rows.rows>();
    for (const row of rows.rows) {
      const list = rowsByAgent.get(row.user_agent ?? '') ?? [];
      list.push(row);
      rowsByAgent.set(row.user_agent ?? '', list);
    }
    const leadIdsByRequest = new Map(leads.rows.map((l) => [l.request_id, l.id]));

    for (const c of cases) {
      const a = answers.get(c.index);
      if (!a) continue;
      const logged = rowsByAgent.get(userAgentOf(c.index)) ?? [];
      const leadId = typeof a.intake?.leadId === 'string' ? a.intake.leadId : null;
      const one = logged.length === 1 ? logged[0] : null;
      switch (a.status) {
        case 201:
          if (!one || one.outcome !== 'accepted' || one.http_status !== 201 || one.lead_id !== leadId) {
            fail(c, `201 but its request log is ${JSON.stringify(logged)}`);
          } else if (leadById.get(one.lead_id ?? '')?.request_id !== one.id) {
            fail(c, `201 but lead ${leadId} is not stored by this request`);
          }
          break;
        case 200:
          if (!one || one.outcome !== 'duplicate' || one.http_status !== 200 || one.lead_id !== leadId) {
            fail(c, `200 but its request log is ${JSON.stringify(logged)}`);
          } else if (a.intake?.replayed === true) {
            if (one.code !== 'replayed' || leadIdsByRequest.has(one.id) || !leadById.has(leadId ?? '')) {
              fail(c, `replay ${JSON.stringify(one)} stored a lead or points at none`);
            }
          } else {
            const stored = leadById.get(leadId ?? '');
            if (!stored || stored.request_id !== one.id || stored.status !== 'duplicate') {
              fail(c, `duplicate ${leadId} is not stored as a duplicate by this request`);
            } else if (stored.duplicate_of_lead_id !== a.intake?.originalLeadId) {
              fail(
                c,
                `duplicate ${leadId} links ${stored.duplicate_of_lead_id}, answered ${String(a.intake?.originalLeadId)}`,
              );
            }
          }
          break;
        case 400:
        case 415:
        case 422:
          if (
            !one ||
            one.outcome !== 'rejected' ||
            one.http_status !== a.status ||
            one.code !== a.problem?.code ||
            one.lead_id !== null
          ) {
            fail(c, `${a.status} but its request log is ${JSON.stringify(logged)}`);
          } else if (leadIdsByRequest.has(one.id)) {
            fail(c, `${a.status} but a lead was stored by it`);
          }
          break;
        case 401:
        case 403:
        case 429:
          // Refused before the lead is read: logged once as refused, within a budget per webhook
          // and minute (beyond it, only counted) — never as anything else, never with a lead.
          if (
            logged.length > 1 ||
            (one !== null &&
              (one.outcome !== 'rejected' ||
                one.http_status !== a.status ||
                one.code !== a.problem?.code ||
                one.lead_id !== null ||
                leadIdsByRequest.has(one.id)))
          ) {
            fail(c, `${a.status} but its request log is ${JSON.stringify(logged)}`);
          }
          break;
        default:
          if (logged.length > 0) fail(c, `${a.status} but it was logged: ${JSON.stringify(logged)}`);
      }
    }

    const all = [...answers.values()];
    const created = all.filter((a) => a.status === 201).length;
    const linked = all.filter((a) => a.status === 200 && typeof a.intake?.originalLeadId === 'string').length;
    const replayed = all.filter((a) => a.status === 200 && a.intake?.replayed === true).length;
    const orphanContacts = await stack.count(
      `SELECT count(*) AS n FROM ingestion.contacts c
        WHERE c.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM ingestion.leads l WHERE l.contact_id = c.id)`,
      [owner.organization.id],
    );
    const partial = leads.rows.filter((l) => !l.has_contact || l.own_rows !== 1 || l.creating_rows !== 1);

    for (const [index, problems] of failures) {
      const answer = answers.get(index);
      if (answer && answer.status >= 500) {
        failures.set(
          index,
          problems.map((p) => (p === `answered ${answer.status}` ? p + serverError(answer) : p)),
        );
      }
    }

    // --- report ---------------------------------------------------------------------------------
    const byKind = new Map<string, Map<number, number>>();
    for (const c of cases) {
      const status = answers.get(c.index)?.status ?? 0;
      const counts = byKind.get(c.spec.body.kind) ?? new Map<number, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      byKind.set(c.spec.body.kind, counts);
    }
    const latencies = all.map((a) => a.ms).sort((x, y) => x - y);
    const pct = (p: number): string =>
      (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(0);
    process.stdout.write(
      [
        `[intake-fuzz] ${all.length} answers in ${elapsed.toFixed(1)} s (${(all.length / elapsed).toFixed(0)}/s, ` +
          `${WORKERS} workers); latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`,
        `[intake-fuzz] 201 created ${created}, 200 linked duplicates ${linked}, 200 replays ${replayed}; ` +
          `leads stored ${leads.rows.length} (incl. the canary); request log rows ${rows.rows.length}`,
        ...[...byKind.entries()].map(
          ([kind, counts]) =>
            `  ${kind.padEnd(13)} ${[...counts.entries()]
              .sort(([x], [y]) => x - y)
              .map(([status, n]) => `${status || 'none'}×${n}`)
              .join('  ')}`,
        ),
        `[intake-fuzz] ${failures.size} failing case(s)`,
        '',
      ].join('\n'),
    );
    if (failures.size > 0) {
      const dir = resolve(__dirname, '../../../tmp');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'intake-fuzz-failures.json');
      const failing = cases.filter((c) => failures.has(c.index));
      writeFileSync(
        file,
        JSON.stringify(
          failing.map((c) => ({
            seed: SEED,
            index: c.index,
            problems: failures.get(c.index),
            kind: c.spec.body.kind,
            contentType: c.spec.contentType,
            idempotencyKey: c.spec.idempotencyKey,
            credentials: c.spec.credentials,
            target: c.spec.target,
            bodyBase64: c.body.toString('base64'),
          })),
          null,
          2,
        ),
      );
      process.stdout.write(`[intake-fuzz] all failing cases, with their bodies: ${file}\n`);
    }

    // One assertion, so that a failure shows every broken property at once.
    expect({
      failingCases: [...failures.entries()]
        .slice(0, 25)
        .map(([index, problems]) => `${preview(cases[index])}\n    -> ${problems.join('\n    -> ')}`),
      moreFailingCases: Math.max(0, failures.size - 25),
      leadsWithoutContactOrOwnRequest: partial,
      contactsWithoutLead: orphanContacts,
      leadsStoredMinusAnswered: leads.rows.length - (created + linked + 1),
    }).toEqual({
      failingCases: [],
      moreFailingCases: 0,
      leadsWithoutContactOrOwnRequest: [],
      contactsWithoutLead: 0,
      leadsStoredMinusAnswered: 0,
    });
  }, 300_000);
});
