import type { FieldError } from '@leadflow/contracts';
import type { ArgumentMetadata } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import type { ValidationError, ValidationOptions } from 'class-validator';
import { ValidateIf } from 'class-validator';
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

/** Keys that would reach an object's prototype if a body were ever merged into an object. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_UNSAFE_KEY_SCAN_DEPTH = 32;

/** Dotted paths of the unsafe keys anywhere in a parsed body (JSON.parse keeps `__proto__` as a key). */
export function unsafeKeyPaths(value: unknown, prefix = '', depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > MAX_UNSAFE_KEY_SCAN_DEPTH) return [];
  // Parsed JSON and forms are plain objects and arrays; a Buffer (a raw body) or a Date is not read.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return [];
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    const path = Array.isArray(value) ? `${prefix.replace(/\.$/, '')}[${key}]` : prefix + key;
    if (!Array.isArray(value) && UNSAFE_KEYS.has(key)) found.push(path);
    else found.push(...unsafeKeyPaths((value as Record<string, unknown>)[key], `${path}.`, depth + 1));
  }
  return found;
}

/**
 * Refuses bodies with `__proto__`, `constructor` or `prototype` keys before class-transformer
 * sees them: it silently drops such keys, so a request would be half applied instead of refused.
 */
class GuardedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const unsafe = unsafeKeyPaths(value);
      if (unsafe.length > 0) {
        throw new RequestValidationError(
          unsafe.map((field) => ({ field, rule: 'unsafe_key', message: `${field} is not an accepted key` })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * The one validation pipe of every service: unknown fields are refused, values are converted to
 * their declared types, keys that could reach a prototype are refused, and failures answer 422
 * with one entry per field and rule.
 */
export function createValidationPipe(): ValidationPipe {
  return new GuardedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(toFieldErrors(errors)),
  });
}

/**
 * The property may be left out, but when it is sent it must pass its rules — `null` included.
 * `@IsOptional()` lets `null` through unchecked, which is right only for values that can be
 * cleared (typed `| null`); a setting that cannot be cleared answers 422 to `null` instead of
 * reaching the database as one.
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
