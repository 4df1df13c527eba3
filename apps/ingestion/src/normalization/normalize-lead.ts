import { DateTime } from 'luxon';
import { consentRequiredIssue, normalizeConsent } from './consent';
import { normalizeContact } from './contact';
import { collectExtra } from './extra-fields';
import type { FieldIssue } from './field-issue';
import { fieldIssue } from './field-issue';
import { findLeadFields } from './lead-fields';
import type { IntakeSettings, NormalizationResult, NormalizedLead } from './normalized-lead';
import { resolveRegion } from './phone';
import { storable } from './storable-text';
import { isRecord } from './scalar-value';
import { normalizeTracking } from './tracking';
import { verticalDefinition } from './verticals';
import { validateVertical } from './verticals/vertical-field';

/**
 * Turns one vendor body (JSON, form-encoded or a CSV row) into a canonical, validated lead, or
 * the list of field errors that refuse it (the caller answers 422). Never throws.
 */
export function normalizeLead(body: unknown, settings: IntakeSettings): NormalizationResult {
  try {
    return normalize(body, settings, DateTime.utc());
  } catch (error: unknown) {
    // Unreachable by design (the property tests feed it arbitrary values); a lead is refused
    // with a reason rather than failing the request.
    const detail = error instanceof Error ? error.message : 'unknown error';
    return {
      ok: false,
      errors: [fieldIssue('body', 'unprocessable', `the lead could not be read (${detail})`)],
    };
  }
}

function normalize(body: unknown, settings: IntakeSettings, now: DateTime): NormalizationResult {
  if (!isRecord(body)) {
    const found = body === null ? 'null' : Array.isArray(body) ? 'a list' : `a ${typeof body}`;
    return {
      ok: false,
      errors: [fieldIssue('body', 'type', `the lead must be an object of fields, not ${found}`)],
    };
  }
  const definition = verticalDefinition(settings.vertical);
  const fields = findLeadFields(body, settings.fieldMapping, definition);
  const get = (field: string) => fields.values.get(field);

  const contact = normalizeContact(get, resolveRegion(settings.defaultRegion));
  const consent = normalizeConsent(get);
  const tracking = normalizeTracking(get);
  const vertical = validateVertical(definition, fields.values, { now });
  const extra = collectExtra(body, fields.used);

  const errors: FieldIssue[] = [...contact.errors, ...vertical.errors];
  const consentError = settings.requireConsent === true ? consentRequiredIssue(consent.consent) : null;
  if (consentError) errors.push(consentError);
  if (errors.length > 0) return { ok: false, errors };

  const granted = consent.consent?.granted === true;
  // Whatever came in, what goes to PostgreSQL is storable text (no NUL, no lone surrogates).
  const lead: NormalizedLead = storable({
    ...contact.contact,
    consent: consent.consent,
    contactable: {
      phone: granted && contact.contact.phone !== null,
      sms: granted && contact.contact.phone !== null,
      email: contact.contact.email !== null,
    },
    tracking: tracking.tracking,
    attributes: Object.fromEntries([...vertical.attributes, ['extra', extra.extra]]),
  });
  const warnings = [
    ...fields.warnings,
    ...contact.warnings,
    ...consent.warnings,
    ...tracking.warnings,
    ...extra.warnings,
  ];
  return { ok: true, lead, warnings };
}
