import { YearUnits, enumField, integerField, moneyField, textField } from './field-parsers';
import { ResidentialPropertyTypes, homeownerField, propertyTypeField } from './shared-fields';
import type { VerticalDefinition } from './vertical-field';

export const RoofConditions = ['excellent', 'good', 'fair', 'poor', 'needs_replacement'] as const;
export const ShadeCoverages = ['none', 'light', 'partial', 'moderate', 'heavy', 'full'] as const;

export const solarVertical: VerticalDefinition = {
  vertical: 'solar',
  fields: [
    moneyField(
      {
        name: 'monthlyElectricBill',
        aliases: [
          'electric_bill',
          'monthly_bill',
          'average_bill',
          'avg_electric_bill',
          'average_monthly_bill',
          'average_electric_bill',
          'monthly_electric',
          'electricity_bill',
          'power_bill',
          'utility_bill',
        ],
      },
      { min: 0, max: 100_000 },
    ),
    homeownerField,
    enumField(
      { name: 'roofCondition', aliases: ['roof_condition', 'roof_status', 'roof_quality'] },
      RoofConditions,
      {
        new: 'excellent',
        great: 'excellent',
        'very good': 'good',
        average: 'fair',
        ok: 'fair',
        okay: 'fair',
        bad: 'poor',
        'needs repair': 'poor',
        replace: 'needs_replacement',
        'needs replaced': 'needs_replacement',
        'needs new roof': 'needs_replacement',
        'replacement needed': 'needs_replacement',
      },
    ),
    integerField(
      { name: 'roofAge', aliases: ['roof_age', 'age_of_roof', 'roof_age_years'] },
      { min: 0, max: 150 },
      YearUnits,
    ),
    enumField(
      { name: 'shadeCoverage', aliases: ['shade', 'shade_coverage', 'roof_shade', 'shading', 'shade_level'] },
      ShadeCoverages,
      {
        'no shade': 'none',
        'full sun': 'none',
        no: 'none',
        little: 'light',
        'little shade': 'light',
        'a little shade': 'light',
        some: 'partial',
        'some shade': 'partial',
        'partial shade': 'partial',
        'partially shaded': 'partial',
        'a lot': 'heavy',
        'a lot of shade': 'heavy',
        'mostly shaded': 'heavy',
        'heavy shade': 'heavy',
        'full shade': 'full',
        'fully shaded': 'full',
        'completely shaded': 'full',
      },
    ),
    textField(
      {
        name: 'utility',
        aliases: [
          'utility_company',
          'utility_provider',
          'electric_company',
          'electric_utility',
          'electric_provider',
          'power_company',
        ],
      },
      200,
    ),
    propertyTypeField(ResidentialPropertyTypes),
  ],
};
