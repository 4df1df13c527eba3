import { DateTime } from 'luxon';
import { parseDate, parseYesNo } from '../money-and-dates';
import { enumField, enumKey, inRange, moneyField, ok, outOfRange, parseInteger } from './field-parsers';
import type { FieldParse, VerticalDefinition, VerticalField } from './vertical-field';

export const PolicyTypes = [
  'auto',
  'home',
  'life',
  'health',
  'renters',
  'commercial',
  'medicare',
  'other',
] as const;

export const MinApplicantAge = 18;
export const MaxApplicantAge = 120;

const noClaims = new Set([
  'none',
  'noclaims',
  'never',
  'zero',
  '0claims',
  'noprevious',
  'noneinthelast5years',
]);

const claimsHistory: VerticalField = {
  name: 'claimsHistory',
  aliases: ['claims_history', 'claims', 'number_of_claims', 'num_claims', 'claims_count', 'prior_claims'],
  parse(value): FieldParse {
    if (parseYesNo(value) === false || (typeof value === 'string' && noClaims.has(enumKey(value))))
      return ok(0);
    const count = typeof value === 'boolean' ? null : parseInteger(value, ['claims', 'claim']);
    if (count === null) return { ok: false, rule: 'type', message: 'must be a number of claims (or none)' };
    return inRange(count, { min: 0, max: 50 }) ? ok(count) : outOfRange({ min: 0, max: 50 });
  },
};

const dateOfBirth: VerticalField = {
  name: 'dateOfBirth',
  aliases: ['date_of_birth', 'dob', 'birth_date', 'birthdate', 'birthday'],
  parse(value, { now }): FieldParse {
    const parsed = typeof value === 'boolean' ? null : parseDate(value);
    if (parsed === null)
      return { ok: false, rule: 'type', message: 'must be a date like 1980-01-31 or 01/31/1980' };
    const birthDate = parsed.iso.slice(0, 10);
    const age = ageOn(DateTime.fromISO(birthDate, { zone: 'utc' }), now);
    if (age < MinApplicantAge || age > MaxApplicantAge) {
      return {
        ok: false,
        rule: 'range',
        message: `must make the applicant ${MinApplicantAge} to ${MaxApplicantAge} years old today`,
      };
    }
    return ok(birthDate);
  },
};

/** Whole years from `birth` to `now` (UTC calendar dates); negative for a date in the future. */
export function ageOn(birth: DateTime, now: DateTime): number {
  const today = now.toUTC();
  const beforeBirthday = today.month < birth.month || (today.month === birth.month && today.day < birth.day);
  return today.year - birth.year - (beforeBirthday ? 1 : 0);
}

export const insuranceVertical: VerticalDefinition = {
  vertical: 'insurance',
  fields: [
    enumField(
      {
        name: 'policyType',
        aliases: [
          'policy_type',
          'insurance_type',
          'coverage_type',
          'insurance_product',
          'product_type',
          'line_of_business',
        ],
      },
      PolicyTypes,
      {
        car: 'auto',
        vehicle: 'auto',
        automobile: 'auto',
        'auto insurance': 'auto',
        'car insurance': 'auto',
        homeowners: 'home',
        homeowner: 'home',
        "homeowner's": 'home',
        'home insurance': 'home',
        property: 'home',
        'term life': 'life',
        'whole life': 'life',
        'universal life': 'life',
        'final expense': 'life',
        'life insurance': 'life',
        medical: 'health',
        'health insurance': 'health',
        aca: 'health',
        renter: 'renters',
        "renter's": 'renters',
        'renters insurance': 'renters',
        business: 'commercial',
        'commercial insurance': 'commercial',
        'medicare supplement': 'medicare',
        'medicare advantage': 'medicare',
        medigap: 'medicare',
      },
    ),
    moneyField(
      {
        name: 'coverageAmount',
        aliases: ['coverage_amount', 'coverage', 'face_amount', 'coverage_limit', 'desired_coverage'],
      },
      { min: 0, max: 100_000_000 },
    ),
    moneyField(
      {
        name: 'currentPremium',
        aliases: ['current_premium', 'premium', 'monthly_premium', 'current_monthly_premium'],
      },
      { min: 0, max: 1_000_000 },
    ),
    claimsHistory,
    dateOfBirth,
  ],
};
