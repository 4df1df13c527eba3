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
import type { VerticalContext } from './verticals/vertical-field';
import { validateVertical } from './verticals/vertical-field';

/**
 * Turns one vendor body (JSON, form-encoded or a CSV row) into a canonical, validated lead, or
 * the list of field errors that refuse it (the caller answers 422). Never throws.
 */
export function normalizeLead(body: unknown, settings: IntakeSettings): NormalizationResult {
  try {
    return normalize(body, settings);
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

function normalize(body: unknown, settings: IntakeSettings): NormalizationResult {
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
  const vertical = validateVertical(definition, fields.values, new ClockReadOnDemand());
  const extra = collectExtra(body, fields.used);

  const errors: FieldIssue[] = [...contact.errors, ...vertical.errors];
  const consentError = settings.requireConsent === true ? consentRequiredIssue(consent.consent) : null;
  if (consentError) errors.push(consentError);
  if (errors.length > 0) return { ok: false, errors };

  const granted = consent.consent?.granted === true;
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of vertical.attributes) attributes[name] = value; // field names, never __proto__
  attributes['extra'] = extra.extra;
  // Spelled out rather than spread from `contact.contact`: V8 builds a spread-then-extended
  // object literal far more slowly (microseconds), and this runs for every lead.
  const { externalId, firstName, lastName, phone, email, address, address2, city, state, zip } =
    contact.contact;
  const draft: NormalizedLead = {
    externalId,
    firstName,
    lastName,
    phone,
    email,
    address,
    address2,
    city,
    state,
    zip,
    consent: consent.consent,
    contactable: { phone: granted && phone !== null, sms: granted && phone !== null, email: email !== null },
    tracking: tracking.tracking,
    attributes,
  };
  // Whatever came in, what goes to PostgreSQL is storable text (no NUL, no lone surrogates).
  const lead = storable(draft);
  const warnings = [
    ...fields.warnings,
    ...contact.warnings,
    ...consent.warnings,
    ...tracking.warnings,
    ...extra.warnings,
  ];
  return { ok: true, lead, warnings };
}

/**
 * The clock is read when a field first needs it (an age, a year), once per lead: reading it
 * costs more than most fields, and most leads have no such field.
 */
class ClockReadOnDemand implements VerticalContext {
  #now: DateTime | undefined;

  get now(): DateTime {
    this.#now ??= DateTime.utc();
    return this.#now;
  }
}
