import type { ApiPropertyOptions } from '@nestjs/swagger';
import { ApiProperty } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { getMetadataStorage } from 'class-validator';

/**
 * Request DTOs and query classes are described once, by their class-validator rules (the rules
 * the validation pipe enforces): this turns those rules into the Swagger property metadata Nest's
 * document builder reads, so each body schema and query parameter in the OpenAPI documents is
 * exactly what the API validates, with nothing repeated by hand. A property that already has an
 * `@ApiProperty` keeps it.
 */

const SWAGGER_PROPERTY = 'swagger/apiModelProperties';

/** A class as class-validator and Swagger key their metadata. */
type ClassRef = abstract new (...args: never[]) => unknown;

type Constraint = Pick<ValidationMetadata, 'name' | 'type' | 'constraints' | 'each'>;

interface ValidatedTargets {
  validationMetadatas: Map<ClassRef, ValidationMetadata[]>;
}

const stringRules = new Set([
  'isString',
  'isEmail',
  'isUuid',
  'isIso8601',
  'isDateString',
  'matches',
  'isUrl',
]);

/** Swagger options of one property from its validation rules and its design type. */
export function propertyOptionsOf(
  rules: readonly Constraint[],
  designType: unknown,
  nestedType: (() => ClassRef) | undefined,
): ApiPropertyOptions {
  const named = new Map(rules.filter((r) => r.name).map((r) => [r.name!, r]));
  const has = (name: string): boolean => named.has(name);
  const arg = (name: string): unknown => named.get(name)?.constraints?.[0];
  const each = rules.some((r) => r.each) || has('isArray') || designType === Array;
  const options: Record<string, unknown> = {};
  const optional = rules.some((r) => r.type === 'conditionalValidation');
  options.required = !optional;
  if (has('isOptional')) options.nullable = true;
  if (designType === Date && !rules.some((r) => r.name && stringRules.has(r.name)))
    named.set('isIso8601', { name: 'isIso8601', type: 'customValidation', constraints: [], each: false });

  let type: unknown;
  if (rules.some((r) => r.type === 'nestedValidation') && nestedType) type = nestedType;
  else if (has('isInt')) type = 'integer';
  else if (has('isNumber') || has('isPositive')) type = 'number';
  else if (has('isBoolean')) type = 'boolean';
  else if (has('isObject')) type = 'object';
  else if ([...named.keys()].some((n) => stringRules.has(n))) type = 'string';
  else if (designType === String) type = 'string';
  else if (designType === Number) type = 'number';
  else if (designType === Boolean) type = 'boolean';
  else if (nestedType) type = nestedType;

  const values = (
    has('isIn') ? arg('isIn') : has('isEnum') ? Object.values(arg('isEnum') as object) : undefined
  ) as unknown[] | undefined;
  if (values) {
    options.enum = values;
    type ??= typeof values[0] === 'number' ? 'number' : 'string';
  }
  options.type = type ?? 'object';
  // a free-form object (`@IsObject()` maps, attributes): any members, not none
  if (options.type === 'object') options.additionalProperties = true;
  if (each) options.isArray = true;
  if (has('isEmail')) options.format = 'email';
  if (has('isUuid')) options.format = 'uuid';
  if (has('isIso8601') || has('isDateString')) options.format = 'date-time';
  if (has('isUrl')) options.format = 'uri';
  if (has('matches') && arg('matches') instanceof RegExp) options.pattern = (arg('matches') as RegExp).source;
  if (has('min')) options.minimum = arg('min');
  if (has('max')) options.maximum = arg('max');
  if (has('minLength')) options.minLength = arg('minLength');
  if (has('maxLength')) options.maxLength = arg('maxLength');
  if (has('isNotEmpty') && options.type === 'string' && options.minLength === undefined)
    options.minLength = 1;
  if (has('arrayMaxSize')) options.maxItems = arg('arrayMaxSize');
  if (has('arrayMinSize')) options.minItems = arg('arrayMinSize');
  if (has('arrayNotEmpty')) options.minItems = 1;
  if (has('arrayUnique')) options.uniqueItems = true;
  return options as ApiPropertyOptions;
}

/** Applies Swagger metadata to every class-validator class loaded so far (idempotent). */
export function describeValidatedClasses(): void {
  const storage = getMetadataStorage() as unknown as ValidatedTargets;
  for (const [target, metadatas] of storage.validationMetadatas) {
    if (typeof target !== 'function') continue;
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const metadata of metadatas) {
      if (metadata.target !== target) continue;
      byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
    }
    const proto = target.prototype as object;
    for (const [property, rules] of byProperty) {
      if (Reflect.hasOwnMetadata(SWAGGER_PROPERTY, proto, property)) continue;
      const designType: unknown = Reflect.getMetadata('design:type', proto, property);
      const typeMetadata = defaultMetadataStorage.findTypeMetadata(target, property);
      const nested = typeMetadata?.typeFunction
        ? (): ClassRef => typeMetadata.typeFunction() as ClassRef
        : typeof designType === 'function' &&
            ![String, Number, Boolean, Array, Object, Date].includes(designType as never)
          ? (): ClassRef => designType as ClassRef
          : undefined;
      ApiProperty(propertyOptionsOf(rules, designType, nested))(proto, property);
    }
  }
}
