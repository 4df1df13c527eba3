import { DateTime } from 'luxon';
import { integerField, textField } from './field-parsers';
import type { VerticalDefinition, VerticalInput } from './vertical-field';
import { validateVertical } from './vertical-field';

const definition: VerticalDefinition = {
  vertical: 'generic',
  fields: [
    { ...textField({ name: 'company', aliases: [] }, 10), required: true },
    integerField({ name: 'size', aliases: [] }, { min: 1, max: 5 }),
  ],
};

function validate(values: Record<string, unknown>) {
  const inputs = new Map<string, VerticalInput>(
    Object.entries(values).map(([field, value]) => [field, { value, source: `vendor_${field}` }]),
  );
  return validateVertical(definition, inputs, { now: DateTime.utc() });
}

describe('validateVertical', () => {
  it('keeps the typed values of the fields that were sent, in field order', () => {
    expect(validate({ size: '3', company: 'Acme' })).toEqual({
      attributes: [
        ['company', 'Acme'],
        ['size', 3],
      ],
      errors: [],
    });
  });

  it('reports required fields that are absent or blank', () => {
    expect(validate({}).errors).toEqual([
      { field: 'company', rule: 'required', message: 'company is required' },
    ]);
    expect(validate({ company: '  ' }).errors).toEqual([
      expect.objectContaining({ field: 'company', rule: 'required' }),
    ]);
  });

  it('reports each bad field by its camelCase name, with the vendor key in the message', () => {
    expect(validate({ company: { a: 1 }, size: '9' }).errors).toEqual([
      {
        field: 'company',
        rule: 'type',
        message: 'company (sent as "vendor_company") must be a single value, not an object',
      },
      { field: 'size', rule: 'range', message: 'size (sent as "vendor_size") must be between 1 and 5' },
    ]);
  });

  it('reads a repeated form value as its first', () => {
    expect(validate({ company: ['Acme', 'Other'] }).attributes).toEqual([['company', 'Acme']]);
  });
});
