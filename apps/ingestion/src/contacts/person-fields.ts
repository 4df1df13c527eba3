/**
 * A person's fields, as a contact holds them and each of its leads copies them: the one list that
 * the contact and lead columns, the contact merge, a batch's contact fill and the views derive from.
 */
export const ReachFields = ['firstName', 'lastName', 'phone', 'email'] as const;
/** The address block: merged as one (a street never gets another contact's ZIP). */
export const AddressFields = ['address', 'address2', 'city', 'state', 'zip'] as const;
export const PersonFields = [...ReachFields, ...AddressFields] as const;

export type PersonField = (typeof PersonFields)[number];
export type PersonValues = { [F in PersonField]: string | null };

/** The column of a person field (`firstName` → `first_name`). */
export function personColumnOf(field: PersonField): string {
  return field.replace(/[A-Z0-9]/g, (c) => (/\d/.test(c) ? c : `_${c.toLowerCase()}`));
}

/** The person columns, in PersonFields order. */
export const PersonColumns: readonly string[] = PersonFields.map(personColumnOf);

/** The person fields of anything that has them (an entity, a normalized lead, a row's state). */
export function personValuesOf(source: PersonValues): PersonValues {
  const values = {} as PersonValues;
  for (const field of PersonFields) values[field] = source[field];
  return values;
}

/** The person fields of a row read with PersonColumns. */
export function personValuesOfRow(row: Readonly<Record<string, unknown>>): PersonValues {
  const values = {} as PersonValues;
  for (const field of PersonFields) values[field] = (row[personColumnOf(field)] as string | null) ?? null;
  return values;
}
