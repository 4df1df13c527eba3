/**
 * Lead intake normalization: one vendor body (webhook JSON or form post, or a CSV row) → a
 * canonical, validated lead, or the field errors that refuse it. Pure: no Nest, no database.
 */
export { CanonicalFields } from './canonical-fields';
export type { FieldIssue } from './field-issue';
export type { CanonicalField, FieldMapping, FieldMappingRule, FieldTransform } from './field-mapping';
export { FieldTransforms, matchColumns, validateFieldMapping } from './field-mapping';
export { normalizeLead } from './normalize-lead';
export type {
  IntakeSettings,
  NormalizationResult,
  NormalizedConsent,
  NormalizedLead,
} from './normalized-lead';
