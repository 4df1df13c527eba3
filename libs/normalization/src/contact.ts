import type { CountryCode } from 'libphonenumber-js/max';
import {
  MaxAddressLineLength,
  MaxCityLength,
  normalizeState,
  normalizeZip,
  tidyAddressLine,
  tidyCity,
} from './address';
import { normalizeEmail } from './email';
import type { FieldIssue } from './field-issue';
import { describeField, fieldIssue } from './field-issue';
import type { FieldText, FieldValue } from './lead-fields';
import { fieldText } from './lead-fields';
import { MaxNameLength, hasLetter, splitFullName, tidyName } from './names';
import { normalizePhone } from './phone';

export const MaxExternalIdLength = 200;

export interface NormalizedContact {
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  address2: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
}

type Outcome = { value: string | null } | { error: { rule: string; reason: string } };

/**
 * Who the lead is and how to reach them. Errors are for what makes a lead unusable or wrong
 * (a phone that cannot be dialled, an unknown state); a name without a letter is dropped
 * with a warning. A lead with neither phone nor email is refused (`phone` / `contact_required`).
 */
export function normalizeContact(
  get: (field: string) => FieldValue | undefined,
  region: CountryCode,
): { contact: NormalizedContact; errors: FieldIssue[]; warnings: FieldIssue[] } {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const settle = (field: string, source: string, outcome: Outcome): string | null => {
    if ('value' in outcome) return outcome.value;
    errors.push(
      fieldIssue(field, outcome.error.rule, `${describeField(field, source)} ${outcome.error.reason}`),
    );
    return null;
  };
  const read = (
    field: string,
    normalize: (text: string, raw: string | number | boolean) => Outcome,
  ): string | null => {
    const text: FieldText = fieldText(get(field));
    switch (text.kind) {
      case 'absent':
        return null;
      case 'invalid':
        errors.push(
          fieldIssue(
            field,
            'type',
            `${describeField(field, text.source)} must be a single value, not ${text.found}`,
          ),
        );
        return null;
      case 'text':
        return settle(field, text.source, normalize(text.text, text.raw));
    }
  };
  /** A tidied name, or null (with a warning) when it has no letter at all. */
  const name =
    (field: string) =>
    (tidy: string): Outcome => {
      if (tidy.length > MaxNameLength) {
        return { error: { rule: 'max_length', reason: `is longer than ${MaxNameLength} characters` } };
      }
      if (!hasLetter(tidy)) {
        warnings.push(fieldIssue(field, 'name_invalid', `${field} has no letters; ignored`));
        return { value: null };
      }
      return { value: tidy };
    };
  const line =
    (max: number, tidy: (text: string) => string) =>
    (text: string): Outcome => {
      const value = tidy(text);
      return value.length <= max
        ? { value }
        : { error: { rule: 'max_length', reason: `is longer than ${max} characters` } };
    };

  let firstName = read('firstName', (text) => name('firstName')(tidyName(text)));
  let lastName = read('lastName', (text) => name('lastName')(tidyName(text)));
  if (firstName === null || lastName === null) {
    // `fullName` (or `name`) fills what first and last name left empty.
    const full = fieldText(get('fullName'));
    if (full.kind === 'invalid') {
      errors.push(
        fieldIssue(
          'fullName',
          'type',
          `${describeField('fullName', full.source)} must be a single value, not ${full.found}`,
        ),
      );
    } else if (full.kind === 'text' && full.text.length > 2 * MaxNameLength) {
      settle('fullName', full.source, { error: { rule: 'max_length', reason: 'is too long to be a name' } });
    } else if (full.kind === 'text') {
      const parts = splitFullName(full.text);
      if (firstName === null && parts.firstName !== null) {
        firstName = settle('fullName', full.source, name('firstName')(parts.firstName));
      }
      if (lastName === null && parts.lastName !== null) {
        lastName = settle('fullName', full.source, name('lastName')(parts.lastName));
      }
    }
  }

  const phone = read('phone', (text) => {
    const result = normalizePhone(text, region);
    if (!result.ok) return { error: { rule: result.rule, reason: result.reason } };
    if (result.extension !== null) {
      warnings.push(fieldIssue('phone', 'phone_extension_ignored', 'phone had an extension; it is not kept'));
    }
    return { value: result.e164 };
  });
  const email = read('email', (text) => {
    const result = normalizeEmail(text);
    return result.ok ? { value: result.email } : { error: { rule: result.rule, reason: result.reason } };
  });
  const contact: NormalizedContact = {
    externalId: read(
      'externalId',
      line(MaxExternalIdLength, (text) => text.trim()),
    ),
    firstName,
    lastName,
    phone,
    email,
    address: read('address', line(MaxAddressLineLength, tidyAddressLine)),
    address2: read('address2', line(MaxAddressLineLength, tidyAddressLine)),
    city: read('city', line(MaxCityLength, tidyCity)),
    state: read('state', (text) => {
      const state = normalizeState(text);
      return state === null
        ? {
            error: {
              rule: 'state_invalid',
              reason: 'is not a US state or territory (a 2-letter code or its name)',
            },
          }
        : { value: state };
    }),
    zip: read('zip', (_text, raw) => {
      const zip = typeof raw === 'boolean' ? null : normalizeZip(raw);
      return zip === null
        ? { error: { rule: 'zip_invalid', reason: 'is not a ZIP code (12345 or 12345-6789)' } }
        : { value: zip };
    }),
  };
  const contactFieldsFailed = errors.some((error) => error.field === 'phone' || error.field === 'email');
  if (phone === null && email === null && !contactFieldsFailed) {
    errors.push(fieldIssue('phone', 'contact_required', 'a phone number or an email address is required'));
  }
  return { contact, errors, warnings };
}
