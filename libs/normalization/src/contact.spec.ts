import { normalizeContact } from './contact';
import type { FieldValue } from './lead-fields';

function contactOf(values: Record<string, unknown>, sources: Record<string, string> = {}) {
  return normalizeContact(
    (field): FieldValue | undefined =>
      field in values ? { value: values[field], source: sources[field] ?? field } : undefined,
    'US',
  );
}

describe('normalizeContact', () => {
  it('normalizes every contact field', () => {
    expect(
      contactOf({
        externalId: ' V-1001 ',
        firstName: 'JOHN',
        lastName: "o'neil",
        phone: '(555) 123-4567',
        email: ' John@Example.com ',
        address: ' 1  Main St ',
        address2: 'Apt 2',
        city: 'AUSTIN',
        state: 'texas',
        zip: '7870',
      }),
    ).toEqual({
      contact: {
        externalId: 'V-1001',
        firstName: 'John',
        lastName: "O'Neil",
        phone: '+15551234567',
        email: 'john@example.com',
        address: '1 Main St',
        address2: 'Apt 2',
        city: 'Austin',
        state: 'TX',
        zip: '07870',
      },
      errors: [],
      warnings: [],
    });
  });

  it('splits a full name when first and last are absent, and fills only what is missing', () => {
    expect(contactOf({ fullName: 'John Q. Public', email: 'a@b.co' }).contact).toMatchObject({
      firstName: 'John',
      lastName: 'Public',
    });
    expect(contactOf({ fullName: 'Public, John', email: 'a@b.co' }).contact).toMatchObject({
      firstName: 'John',
      lastName: 'Public',
    });
    expect(contactOf({ firstName: 'Jon', fullName: 'John Public', email: 'a@b.co' }).contact).toMatchObject({
      firstName: 'Jon',
      lastName: 'Public',
    });
  });

  it('accepts names of 100 characters and refuses 101', () => {
    expect(contactOf({ firstName: 'A'.repeat(100), email: 'a@b.co' }).errors).toEqual([]);
    expect(contactOf({ firstName: 'A'.repeat(101), email: 'a@b.co' }).errors).toEqual([
      expect.objectContaining({ field: 'firstName', rule: 'max_length' }),
    ]);
  });

  it('drops a name without letters with a warning', () => {
    const { contact, errors, warnings } = contactOf({ firstName: '12345', email: 'a@b.co' });
    expect(contact.firstName).toBeNull();
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ field: 'firstName', rule: 'name_invalid' })]);
  });

  it('refuses bad phones, emails, states and ZIPs with the vendor key in the message', () => {
    const { errors } = contactOf(
      { phone: '(212) 555-0123', email: 'nope', state: 'XX', zip: '123', city: 'c'.repeat(101) },
      { phone: 'cell' },
    );
    expect(errors).toEqual([
      expect.objectContaining({
        field: 'phone',
        rule: 'phone_fictional',
        message: expect.stringContaining('sent as "cell"'),
      }),
      expect.objectContaining({ field: 'email', rule: 'email_invalid' }),
      expect.objectContaining({ field: 'city', rule: 'max_length' }),
      expect.objectContaining({ field: 'state', rule: 'state_invalid' }),
      expect.objectContaining({ field: 'zip', rule: 'zip_invalid' }),
    ]);
  });

  it('needs a phone or an email', () => {
    expect(contactOf({ firstName: 'Ann' }).errors).toEqual([
      expect.objectContaining({
        field: 'phone',
        rule: 'contact_required',
        message: expect.stringMatching(/phone.*email/),
      }),
    ]);
    expect(contactOf({ email: 'a@b.co' }).errors).toEqual([]);
    expect(contactOf({ phone: '5551234567' }).errors).toEqual([]);
    expect(contactOf({ phone: '', email: 'N/A' }).errors).toEqual([
      expect.objectContaining({ rule: 'contact_required' }),
    ]);
  });

  it('does not add contact_required on top of an invalid phone', () => {
    expect(contactOf({ phone: 'abc' }).errors).toEqual([
      expect.objectContaining({ field: 'phone', rule: 'phone_invalid' }),
    ]);
  });

  it('keeps a phone with an extension, without the extension', () => {
    const { contact, warnings } = contactOf({ phone: 'tel: 555-123-4567 ext. 12' });
    expect(contact.phone).toBe('+15551234567');
    expect(warnings).toEqual([expect.objectContaining({ field: 'phone', rule: 'phone_extension_ignored' })]);
  });

  it('refuses objects where one value belongs', () => {
    expect(contactOf({ phone: { number: '555' }, email: 'a@b.co' }).errors).toEqual([
      expect.objectContaining({ field: 'phone', rule: 'type' }),
    ]);
  });

  it('refuses an external id over 200 characters', () => {
    expect(contactOf({ externalId: 'x'.repeat(200), email: 'a@b.co' }).errors).toEqual([]);
    expect(contactOf({ externalId: 'x'.repeat(201), email: 'a@b.co' }).errors).toEqual([
      expect.objectContaining({ field: 'externalId', rule: 'max_length' }),
    ]);
  });
});
