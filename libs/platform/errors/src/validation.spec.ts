import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsString, Max, MaxLength, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { toFieldErrors } from './validation';
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
