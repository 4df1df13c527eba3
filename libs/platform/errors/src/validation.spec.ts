import { Type } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { plainToInstance } from 'class-transformer';
import type { RequestValidationError } from './validation';
import { IsOmittable, createValidationPipe, toFieldErrors, unsafeKeyPaths } from './validation';
import { problem } from './problem';

class Consent {
  @IsString()
  @MaxLength(5)
  text!: string;
}
class Body {
  @IsEmail()
  email!: string;
  @IsInt()
  @Max(10)
  size!: number;
  @ValidateNested({ each: true })
  @Type(() => Consent)
  consents!: Consent[];
}

describe('toFieldErrors', () => {
  it('names nested fields with dotted paths and array indexes, one entry per rule', () => {
    const body = plainToInstance(Body, {
      email: 'nope',
      size: 11.5,
      consents: [{ text: 'ok' }, { text: 'too long' }],
    });
    const errors = toFieldErrors(validateSync(body));
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'email', rule: 'isEmail', message: 'email must be an email' },
        { field: 'size', rule: 'isInt', message: expect.any(String) },
        { field: 'size', rule: 'max', message: expect.any(String) },
        { field: 'consents[1].text', rule: 'maxLength', message: expect.any(String) },
      ]),
    );
    expect(errors).toHaveLength(4);
  });
});

describe('problem', () => {
  it('builds an RFC 9457 document with a type derived from the code and omits empty errors', () => {
    expect(problem(404, 'not_found', 'Lead x was not found', { errors: [] })).toEqual({
      type: 'https://leadflow.dev/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Lead x was not found',
      code: 'not_found',
    });
  });
});

describe('the validation pipe', () => {
  class Settings {
    @IsOmittable() @IsInt() limit?: number;
    @IsOptional() @IsString() note?: string | null;
    @IsOmittable() @IsObject() mapping?: Record<string, string>;
  }
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: Settings };
  const refusal = async (value: unknown): Promise<unknown> =>
    pipe.transform(value, body).then(
      () => undefined,
      (error: unknown) => (error as RequestValidationError).fieldErrors,
    );

  it('refuses null for a setting that may be left out but not cleared, and lets a clearable one be null', async () => {
    expect(await refusal({ limit: null })).toEqual([
      expect.objectContaining({ field: 'limit', rule: 'isInt' }),
    ]);
    expect(await refusal({ mapping: null })).toEqual([
      expect.objectContaining({ field: 'mapping', rule: 'isObject' }),
    ]);
    expect(await pipe.transform({ note: null }, body)).toEqual({ note: null });
    expect(await pipe.transform({}, body)).toEqual({});
  });

  it('refuses keys that could reach a prototype, wherever they are, naming them (JSON.parse keeps them)', async () => {
    const parsed: unknown = JSON.parse(
      '{"mapping":{"__proto__":"phone","Cell":"phone"},"deep":[{"x":{"constructor":1}}],"prototype":2}',
    );
    expect(unsafeKeyPaths(parsed)).toEqual(['mapping.__proto__', 'deep[0].x.constructor', 'prototype']);
    expect(await refusal(JSON.parse('{"mapping":{"__proto__":"phone","Cell":"phone"}}'))).toEqual([
      { field: 'mapping.__proto__', rule: 'unsafe_key', message: 'mapping.__proto__ is not an accepted key' },
    ]);
    expect(await pipe.transform({ mapping: { Cell: 'phone' } }, body)).toEqual({
      mapping: { Cell: 'phone' },
    });
  });
});
