import { Verticals } from '@leadflow/contracts';
import { isAscii } from './scalar-value';
import { VerticalDefinitions } from './verticals';
import type { VerticalDefinition } from './verticals/vertical-field';

export const ContactFields = [
  'firstName',
  'lastName',
  'fullName',
  'phone',
  'email',
  'address',
  'address2',
  'city',
  'state',
  'zip',
  'externalId',
] as const;

export const ConsentFields = [
  'consent.granted',
  'consent.text',
  'consent.timestamp',
  'consent.ip',
  'consent.pageUrl',
  'consent.trustedFormCertUrl',
  'consent.jornayaLeadId',
] as const;
export type ConsentField = (typeof ConsentFields)[number];

export const TrackingFields = [
  'source',
  'subsource',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmTerm',
  'utmContent',
  'campaignId',
  'landingPageUrl',
  'ip',
  'userAgent',
] as const;
export type TrackingField = (typeof TrackingFields)[number];

/** The fields every lead has, whatever its vertical. */
export const CoreFields: readonly string[] = [...ContactFields, ...ConsentFields, ...TrackingFields];

/** Every vertical's field names, each once (`propertyType` and `homeowner` are shared). */
export const VerticalFieldNames: readonly string[] = [
  ...new Set(
    Verticals.flatMap((vertical) => VerticalDefinitions[vertical].fields.map((field) => field.name)),
  ),
];

/** What a `fieldMapping` may target and what CSV columns are matched to. */
export const CanonicalFields: readonly string[] = [...CoreFields, ...VerticalFieldNames];

const canonicalFieldSet: ReadonlySet<string> = new Set(CanonicalFields);

export function isCanonicalField(field: string): boolean {
  return canonicalFieldSet.has(field);
}

/**
 * Vendor spellings of the core fields, best first: when a lead carries two of them (`phone`
 * and `cell`), the earlier one wins and the other is kept in `extra`. The canonical name
 * itself always comes first. Spellings are compared by `fieldKey`.
 */
const coreAliases: Readonly<Record<string, readonly string[]>> = {
  firstName: [
    'first_name',
    'fname',
    'first',
    'given_name',
    'forename',
    'f_name',
    'name_first',
    'contact_first_name',
  ],
  lastName: [
    'last_name',
    'lname',
    'last',
    'surname',
    'family_name',
    'l_name',
    'name_last',
    'contact_last_name',
  ],
  fullName: ['full_name', 'name', 'contact_name', 'customer_name', 'your_name', 'lead_name'],
  phone: [
    'phone_number',
    'phone1',
    'primary_phone',
    'phone_primary',
    'telephone',
    'tel',
    'contact_phone',
    'cell',
    'cell_phone',
    'cell_number',
    'mobile',
    'mobile_phone',
    'mobile_number',
    'phone_cell',
    'phone_mobile',
    'home_phone',
    'phone_home',
    'day_phone',
    'daytime_phone',
    'evening_phone',
    'work_phone',
  ],
  email: ['email_address', 'e_mail', 'contact_email', 'primary_email', 'email1', 'mail'],
  address: [
    'address1',
    'address_line1',
    'street',
    'street_address',
    'street1',
    'addr',
    'addr1',
    'line1',
    'mailing_address',
    'home_address',
  ],
  address2: ['address_line2', 'street2', 'addr2', 'line2', 'apt', 'apartment', 'unit', 'suite'],
  city: ['town', 'locality', 'municipality', 'city_name'],
  state: ['state_code', 'st', 'province', 'region', 'state_province', 'state_abbr', 'state_abbreviation'],
  zip: ['zip_code', 'zipcode', 'postal_code', 'postcode', 'postal', 'zip5', 'zip_postal', 'zip_plus4'],
  externalId: ['external_id', 'lead_id', 'vendor_lead_id', 'source_lead_id', 'reference_id', 'ref_id', 'id'],
  'consent.granted': [
    'tcpa_consent',
    'consent',
    'tcpa',
    'tcpa_opt_in',
    'opt_in',
    'consent_given',
    'tcpa_agree',
    'tcpa_accepted',
    'express_consent',
  ],
  'consent.text': [
    'tcpa_text',
    'tcpa_consent_text',
    'consent_text',
    'tcpa_language',
    'consent_language',
    'tcpa_disclosure',
    'disclosure_text',
  ],
  'consent.timestamp': [
    'consent_timestamp',
    'tcpa_timestamp',
    'consent_date',
    'tcpa_date',
    'opt_in_timestamp',
    'opt_in_date',
    'consent_time',
    'consented_at',
  ],
  'consent.ip': ['consent_ip', 'tcpa_ip', 'opt_in_ip'],
  'consent.pageUrl': ['consent_page_url', 'consent_url', 'tcpa_url', 'tcpa_page_url', 'opt_in_url'],
  'consent.trustedFormCertUrl': [
    'trusted_form_cert_url',
    'xxTrustedFormCertUrl',
    'trustedform_cert_url',
    'trusted_form_url',
    'trustedform',
    'trusted_form_cert',
    'trustedform_certificate',
    'cert_url',
  ],
  'consent.jornayaLeadId': [
    'jornaya_lead_id',
    'leadid_token',
    'universal_lead_id',
    'jornaya_id',
    'jornaya_token',
    'jornaya',
  ],
  source: ['lead_source', 'traffic_source', 'src'],
  subsource: ['sub_source', 'sub_id', 'subid1'],
  utmSource: ['utm_source'],
  utmMedium: ['utm_medium'],
  utmCampaign: ['utm_campaign'],
  utmTerm: ['utm_term'],
  utmContent: ['utm_content'],
  campaignId: ['campaign_id', 'campaign'],
  landingPageUrl: ['landing_page_url', 'landing_page', 'lp_url', 'page_url', 'url', 'source_url', 'form_url'],
  ip: ['ip_address', 'user_ip', 'client_ip', 'lead_ip', 'remote_addr', 'remote_ip', 'ipv4'],
  userAgent: ['user_agent', 'ua', 'browser', 'browser_user_agent'],
};

/**
 * Inside a `consent` (or `tcpa`, `compliance`) object the keys are shorter: `{ granted, text,
 * timestamp, ip, pageUrl, trustedFormCertUrl, jornayaLeadId }` or their snake_case spellings.
 */
const consentObjectAliases: Readonly<Record<ConsentField, readonly string[]>> = {
  'consent.granted': ['granted', 'given', 'agreed', 'agree', 'accepted', 'consented', 'opt_in', 'value'],
  'consent.text': ['text', 'language', 'disclosure', 'wording'],
  'consent.timestamp': ['timestamp', 'time', 'date', 'at', 'captured_at', 'created_at'],
  'consent.ip': ['ip', 'ip_address'],
  'consent.pageUrl': ['page_url', 'url', 'page', 'source_url'],
  'consent.trustedFormCertUrl': ['trusted_form_cert_url', 'certificate_url', 'cert'],
  'consent.jornayaLeadId': ['jornaya_lead_id', 'lead_id'],
};

/**
 * At most this many vendor names are remembered by `fieldKey`. Keys repeat across leads (every
 * row of an import, every post of a vendor), so a small cache answers nearly all of them; it is
 * emptied when full, so bodies full of unique keys cannot grow memory.
 */
export const MaxCachedFieldKeys = 10_000;
/** Longer names are rare; they are keyed each time rather than held in the cache. */
const MaxCachedNameLength = 100;
const cachedFieldKeys = new Map<string, string>();

/** A vendor field name as compared with aliases: lower case, letters and digits only. */
export function fieldKey(name: string): string {
  const cached = cachedFieldKeys.get(name);
  if (cached !== undefined) return cached;
  if (name.length > MaxCachedNameLength) return computeFieldKey(name);
  if (cachedFieldKeys.size >= MaxCachedFieldKeys) cachedFieldKeys.clear();
  // A key parsed from a form post can be a V8 slice of the whole body; caching a copy (the
  // concatenation is flattened into a new string) keeps the cache from holding on to bodies.
  const own = ` ${name}`.slice(1);
  const key = computeFieldKey(own);
  cachedFieldKeys.set(own, key);
  return key;
}

/** How many names `fieldKey` holds (for tests). */
export function cachedFieldKeyCount(): number {
  return cachedFieldKeys.size;
}

const notKeyCharacter = /[^a-z0-9]/g;

function computeFieldKey(name: string): string {
  // NFKD splits accents and compatibility forms (`ﬁ`, `Ｆ`) into plain letters; it cannot change ASCII.
  const decomposed = isAscii(name) ? name : name.normalize('NFKD');
  return decomposed.toLowerCase().replace(notKeyCharacter, '');
}

/** Keys of objects that hold consent fields. */
export const ConsentContainers: ReadonlySet<string> = new Set(
  ['consent', 'tcpa', 'tcpa_consent', 'compliance', 'consent_info'].map(fieldKey),
);

/**
 * Keys of objects whose own keys are searched (one level) for fields the top level lacks:
 * `{ "contact": { "first_name": ... }, "address": { "street": ... } }`. The vertical's name
 * (`solar`, `real_estate`, ...) is such a key too.
 */
export const FieldContainers: ReadonlySet<string> = new Set(
  [
    'lead',
    'name',
    'contact',
    'contact_info',
    'contact_information',
    'person',
    'personal_info',
    'customer',
    'consumer',
    'applicant',
    'data',
    'fields',
    'address',
    'location',
    'geo',
    'property',
    'tracking',
    'utm',
    'marketing',
    'attributes',
    'details',
    'vertical',
    'vertical_data',
    ...Verticals,
  ].map(fieldKey),
);

export interface AliasMatch {
  field: string;
  /** Lower is preferred when two keys of one lead name the same field. */
  rank: number;
}

export type AliasTable = ReadonlyMap<string, AliasMatch>;

function buildTable(groups: ReadonlyArray<readonly [string, readonly string[]]>): AliasTable {
  const table = new Map<string, AliasMatch>();
  for (const [field, aliases] of groups) {
    [field, ...aliases].forEach((alias, rank) => {
      const key = fieldKey(alias);
      if (!table.has(key)) table.set(key, { field, rank });
    });
  }
  return table;
}

function verticalGroups(definition: VerticalDefinition): Array<readonly [string, readonly string[]]> {
  return definition.fields.map((field) => [field.name, field.aliases] as const);
}

const coreGroups = Object.entries(coreAliases);

const tablesByVertical = new Map<VerticalDefinition, AliasTable>();

/** Aliases of the core fields and of one vertical's fields. */
export function aliasTableFor(definition: VerticalDefinition): AliasTable {
  let table = tablesByVertical.get(definition);
  if (table === undefined) {
    table = buildTable([...coreGroups, ...verticalGroups(definition)]);
    tablesByVertical.set(definition, table);
  }
  return table;
}

/** Aliases of the core fields and of every vertical's fields (CSV headers, where the vertical is not known). */
export const AllAliases: AliasTable = buildTable([
  ...coreGroups,
  ...Verticals.flatMap((vertical) => verticalGroups(VerticalDefinitions[vertical])),
]);

/** Aliases inside a consent object, then the flat consent aliases. */
export const ConsentObjectAliases: AliasTable = buildTable(
  ConsentFields.map(
    (field) => [field, [...consentObjectAliases[field], ...(coreAliases[field] ?? [])]] as const,
  ),
);

/** Every vendor spelling listed for a field (for tests and documentation). */
export function listedAliases(): Array<{ field: string; alias: string }> {
  return [
    ...coreGroups,
    ...Verticals.flatMap((vertical) => verticalGroups(VerticalDefinitions[vertical])),
  ].flatMap(([field, aliases]) => [field, ...aliases].map((alias) => ({ field, alias })));
}
