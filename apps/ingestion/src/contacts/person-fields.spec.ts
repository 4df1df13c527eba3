import {
  AddressFields,
  PersonColumns,
  PersonFields,
  personColumnOf,
  personValuesOf,
  personValuesOfRow,
} from './person-fields';

describe('person fields', () => {
  it('name the contact and lead columns they are stored in', () => {
    expect(PersonColumns).toEqual([
      'first_name',
      'last_name',
      'phone',
      'email',
      'address',
      'address2',
      'city',
      'state',
      'zip',
    ]);
    expect(personColumnOf('address2')).toBe('address2');
    expect(AddressFields.every((f) => (PersonFields as readonly string[]).includes(f))).toBe(true);
  });

  it('pick exactly the person fields of an object and of a row', () => {
    const lead = {
      firstName: 'Ada',
      lastName: null,
      phone: '+14155550100',
      email: 'ada@example.com',
      address: '1 Main St',
      address2: null,
      city: 'SF',
      state: 'CA',
      zip: '94103',
      vertical: 'solar',
    };
    const picked = personValuesOf(lead);
    expect(picked).not.toHaveProperty('vertical');
    expect(Object.keys(picked)).toEqual([...PersonFields]);
    expect(personValuesOfRow({ first_name: 'Ada', zip: '94103', id: 'x' })).toEqual({
      firstName: 'Ada',
      lastName: null,
      phone: null,
      email: null,
      address: null,
      address2: null,
      city: null,
      state: null,
      zip: '94103',
    });
  });
});
