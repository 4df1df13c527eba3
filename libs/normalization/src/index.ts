/**
 * Lead normalization, shared by every service that takes lead data in (intake, CSV imports,
 * ping/post, enrichment): one vendor body (webhook JSON or form post, or a CSV row) → a
 * canonical, validated lead, or the field errors that refuse it; and the pieces it is built from
 * (phone, e-mail, US state and ZIP, names) plus time-zone rules (IANA zones, a US state's zones,
 * local time and calling/quiet-hour windows, DST-correct). Pure: no Nest, no database.
 */
export { normalizeState, normalizeZip, StateCodes } from './address';
export { CanonicalFields } from './canonical-fields';
export type { EmailResult } from './email';
export { normalizeEmail } from './email';
export type { FieldIssue } from './field-issue';
export type { CanonicalField, FieldMapping, FieldMappingRule, FieldTransform } from './field-mapping';
export { FieldTransforms, matchColumns, validateFieldMapping } from './field-mapping';
export type { NameParts } from './names';
export { splitFullName } from './names';
export { normalizeLead } from './normalize-lead';
export type {
  IntakeSettings,
  NormalizationResult,
  NormalizedConsent,
  NormalizedLead,
} from './normalized-lead';
export type { PhoneResult, PhoneRule } from './phone';
export { DefaultRegion, normalizePhone, resolveRegion } from './phone';
export { storable, storableText } from './storable-text';
export type { ClockTime, LocalTime, LocalWindow } from './time-zones';
export {
  isIanaTimeZone,
  isInsideLocalWindow,
  localTime,
  nextInsideLocalWindow,
  timeZonesOfState,
} from './time-zones';
