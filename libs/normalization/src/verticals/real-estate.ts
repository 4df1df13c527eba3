import {
  SquareFeetUnits,
  halfStepField,
  inRange,
  integerField,
  moneyField,
  ok,
  outOfRange,
  parseInteger,
  textField,
} from './field-parsers';
import { ResidentialPropertyTypes, propertyTypeField } from './shared-fields';
import type { FieldParse, VerticalDefinition, VerticalField } from './vertical-field';

export const RealEstatePropertyTypes = [...ResidentialPropertyTypes, 'land'] as const;

export const EarliestYearBuilt = 1700;

const yearBuilt: VerticalField = {
  name: 'yearBuilt',
  aliases: ['year_built', 'built_year', 'construction_year', 'yr_built'],
  parse(value, { now }): FieldParse {
    const year = parseInteger(value);
    if (year === null) return { ok: false, rule: 'type', message: 'must be a year like 1995' };
    const range = { min: EarliestYearBuilt, max: now.toUTC().year + 1 };
    return inRange(year, range) ? ok(year) : outOfRange(range);
  },
};

export const realEstateVertical: VerticalDefinition = {
  vertical: 'real_estate',
  fields: [
    textField(
      {
        name: 'propertyAddress',
        aliases: ['property_address', 'property_street', 'property_street_address'],
      },
      500,
    ),
    moneyField(
      {
        name: 'estimatedValue',
        aliases: [
          'estimated_value',
          'home_value',
          'property_value',
          'est_value',
          'estimated_home_value',
          'estimated_property_value',
          'market_value',
        ],
      },
      { min: 0, max: 1_000_000_000 },
    ),
    moneyField(
      { name: 'equity', aliases: ['estimated_equity', 'home_equity', 'equity_amount'] },
      { min: -1_000_000_000, max: 1_000_000_000 },
    ),
    textField(
      {
        name: 'motivation',
        aliases: ['seller_motivation', 'reason_for_selling', 'motivation_reason', 'why_selling'],
      },
      500,
    ),
    propertyTypeField(RealEstatePropertyTypes),
    textField({ name: 'ownerName', aliases: ['owner_name', 'property_owner', 'owner_full_name'] }, 200),
    integerField(
      {
        name: 'bedrooms',
        aliases: ['beds', 'bedroom_count', 'num_bedrooms', 'number_of_bedrooms', 'bedroom'],
      },
      { min: 0, max: 50 },
      ['bedrooms', 'bedroom', 'beds', 'bed', 'br'],
    ),
    halfStepField(
      {
        name: 'bathrooms',
        aliases: ['baths', 'bathroom_count', 'num_bathrooms', 'number_of_bathrooms', 'bathroom'],
      },
      { min: 0, max: 50 },
    ),
    integerField(
      {
        name: 'squareFootage',
        aliases: [
          'square_footage',
          'square_feet',
          'sqft',
          'sq_ft',
          'living_area',
          'living_sqft',
          'building_size',
        ],
      },
      { min: 100, max: 1_000_000 },
      SquareFeetUnits,
    ),
    yearBuilt,
  ],
};
