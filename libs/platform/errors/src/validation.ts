import type { FieldError } from '@leadflow/contracts';
import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { DomainError } from './domain-error';

/** Flattens nested class-validator errors into `{ field, rule, message }` with dotted paths. */
export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property)
      ? `${prefix.replace(/\.$/, '')}[${e.property}]`
      : prefix + e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message,
    }));
    return [...own, ...toFieldErrors(e.children ?? [], `${field}.`)];
  });
}

export class RequestValidationError extends DomainError {
  constructor(fieldErrors: FieldError[]) {
    const fields = [...new Set(fieldErrors.map((e) => e.field))];
    super('validation', 'validation_failed', `The request is invalid: ${fields.join(', ')}`, { fieldErrors });
  }
}

/**
 * The one validation pipe of every service: unknown fields are refused, values are converted to
 * their declared types, and failures answer 422 with one entry per field and rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(toFieldErrors(errors)),
  });
}
