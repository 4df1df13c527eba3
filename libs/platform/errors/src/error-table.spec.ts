import { DomainError } from './domain-error';
import type { ErrorSpec } from './error-table';
import { defineErrors } from './error-table';

enum ParcelErrorCode {
  Lost = 'parcel_lost',
  Late = 'parcel_late',
  TooHeavy = 'parcel_too_heavy',
  Refused = 'parcel_refused',
  BadAddress = 'parcel_bad_address',
}

const ParcelError = defineErrors('ParcelError', {
  [ParcelErrorCode.Lost]: { kind: 'not_found', message: 'The parcel was lost' },
  [ParcelErrorCode.Late]: {
    kind: 'unavailable',
    message: ({ days }: { days: number }) => `The parcel is ${days} days late`,
    options: { retryAfterSeconds: 5, headers: { 'X-Late': 'yes' } },
  },
  [ParcelErrorCode.TooHeavy]: {
    kind: 'validation',
    message: 'The parcel is too heavy',
    options: ({ kg }: { kg: number }, message) => ({
      details: { kg },
      fieldErrors: [{ field: 'weight', rule: 'max', message: `${message} (${kg} kg)` }],
    }),
  },
  [ParcelErrorCode.Refused]: { kind: 'forbidden', message: 'The parcel was refused' },
  [ParcelErrorCode.BadAddress]: {
    kind: 'validation',
    message: ({ street }: { street: string }) => `${street} is not a street`,
    fieldError: { field: 'address.street', rule: 'street_exists' },
  },
} satisfies Record<ParcelErrorCode, ErrorSpec>);

const OtherError = defineErrors('OtherError', {
  parcel_lost: { kind: 'not_found', message: 'Not ours' },
});

describe('defineErrors', () => {
  it('makes a domain error of the code, with the kind and message of its row', () => {
    const error = ParcelError.of(ParcelErrorCode.Lost);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(ParcelError);
    expect(error).toBeInstanceOf(Error);
    expect({ kind: error.kind, code: error.code, message: error.message, name: error.name }).toEqual({
      kind: 'not_found',
      code: 'parcel_lost',
      message: 'The parcel was lost',
      name: 'ParcelError',
    });
    expect(error.retryable).toBe(false);
    expect(error.stack).toContain('ParcelError');
  });

  it('builds the message and options from the params the row names', () => {
    const late = ParcelError.of(ParcelErrorCode.Late, { days: 3 });
    expect(late.message).toBe('The parcel is 3 days late');
    expect(late.retryAfterSeconds).toBe(5);
    expect(late.headers).toEqual({ 'X-Late': 'yes' });
    expect(late.retryable).toBe(true);

    const heavy = ParcelError.of(ParcelErrorCode.TooHeavy, { kg: 40 });
    expect(heavy.message).toBe('The parcel is too heavy');
    expect(heavy.details).toEqual({ kg: 40 });
    expect(heavy.fieldErrors).toEqual([
      { field: 'weight', rule: 'max', message: 'The parcel is too heavy (40 kg)' },
    ]);
  });

  it('names the field a row is about, with the message', () => {
    const error = ParcelError.of(ParcelErrorCode.BadAddress, { street: 'Nowhere' });
    expect(error.fieldErrors).toEqual([
      { field: 'address.street', rule: 'street_exists', message: 'Nowhere is not a street' },
    ]);
    expect(ParcelError.of(ParcelErrorCode.Lost).fieldErrors).toBeUndefined();
  });

  it('adds the options the throw site gives, over the row’s own', () => {
    const cause = new Error('root');
    const refused = ParcelError.of(ParcelErrorCode.Refused, { details: { by: 'door' }, cause });
    expect(refused.details).toEqual({ by: 'door' });
    expect(refused.cause).toBe(cause);
    const late = ParcelError.of(ParcelErrorCode.Late, { days: 1 }, { retryAfterSeconds: 60 });
    expect(late.retryAfterSeconds).toBe(60);
    expect(late.headers).toEqual({ 'X-Late': 'yes' });
  });

  it("tells one feature's errors from another's, and its codes apart", () => {
    const ours = ParcelError.of(ParcelErrorCode.Lost);
    const theirs = OtherError.of('parcel_lost');
    expect(theirs).not.toBeInstanceOf(ParcelError);
    expect(ParcelError.is(ours, ParcelErrorCode.Lost)).toBe(true);
    expect(ParcelError.is(ours, ParcelErrorCode.Late)).toBe(false);
    expect(ParcelError.is(theirs, ParcelErrorCode.Lost)).toBe(false);
    expect(ParcelError.is(new Error('x'), ParcelErrorCode.Lost)).toBe(false);
  });

  it('asks for exactly the params a row needs (checked by the compiler)', () => {
    // @ts-expect-error Late needs { days }
    expect(() => ParcelError.of(ParcelErrorCode.Late)).toThrow(TypeError);
    // @ts-expect-error Lost takes no params, only options
    expect(ParcelError.of(ParcelErrorCode.Lost, { days: 1 }).message).toBe('The parcel was lost');
  });
});
