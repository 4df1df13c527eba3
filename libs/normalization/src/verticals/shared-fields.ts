import { booleanField, enumField } from './field-parsers';
import type { VerticalField } from './vertical-field';

/** Fields more than one vertical has: same name, same vendor spellings everywhere. */

export const ResidentialPropertyTypes = [
  'single_family',
  'multi_family',
  'condo',
  'townhouse',
  'mobile',
  'commercial',
  'other',
] as const;

const propertyTypeSynonyms = {
  'single family home': 'single_family',
  'single family residence': 'single_family',
  'single-family': 'single_family',
  sfh: 'single_family',
  sfr: 'single_family',
  house: 'single_family',
  detached: 'single_family',
  'multi family home': 'multi_family',
  multifamily: 'multi_family',
  duplex: 'multi_family',
  triplex: 'multi_family',
  fourplex: 'multi_family',
  apartment: 'multi_family',
  condominium: 'condo',
  townhome: 'townhouse',
  'town home': 'townhouse',
  rowhouse: 'townhouse',
  'row house': 'townhouse',
  'mobile home': 'mobile',
  manufactured: 'mobile',
  'manufactured home': 'mobile',
  trailer: 'mobile',
  business: 'commercial',
  'vacant land': 'land',
  lot: 'land',
} as const;

export function propertyTypeField<T extends string>(values: readonly T[]): VerticalField {
  const synonyms = Object.fromEntries(
    Object.entries(propertyTypeSynonyms).filter(([, value]) => (values as readonly string[]).includes(value)),
  ) as Record<string, T>;
  return enumField(
    {
      name: 'propertyType',
      aliases: ['property_type', 'home_type', 'dwelling_type', 'residence_type', 'building_type'],
    },
    values,
    synonyms,
  );
}

export const homeownerField: VerticalField = booleanField(
  {
    name: 'homeowner',
    aliases: [
      'home_owner',
      'is_homeowner',
      'own_home',
      'owns_home',
      'homeownership',
      'own_or_rent',
      'own_rent',
    ],
  },
  {
    own: true,
    owns: true,
    owner: true,
    homeowner: true,
    'i own': true,
    rent: false,
    rents: false,
    renter: false,
    renting: false,
    'i rent': false,
    tenant: false,
    lease: false,
  },
);
