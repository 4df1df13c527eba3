import type { DomainErrorOptions, ErrorKind } from './domain-error';
import { DomainError } from './domain-error';

/**
 * One code of a feature's error table: its kind (the HTTP status / retry decision), its message,
 * and what the error always carries. A message or options built from the throw site's values is
 * a function of one `params` argument; annotate it, and `of` then asks for exactly those values.
 */
export interface ErrorSpec<P = never> {
  readonly kind: ErrorKind;
  /** The problem's `detail`. */
  readonly message: string | ((params: P) => string);
  /** Details, field errors, headers or Retry-After, fixed or built from the params and the message. */
  readonly options?: DomainErrorOptions | ((params: P, message: string) => DomainErrorOptions);
  /** The one field the error is about: `errors` is `[{ field, rule, message }]` with the message. */
  readonly fieldError?: { readonly field: string; readonly rule: string };
}

/** The params a spec's message or options is built from (`undefined` when it needs none). */
export type ErrorParams<S> = S extends { message: (params: infer P) => string }
  ? P
  : S extends { options: (params: infer P, message: string) => DomainErrorOptions }
    ? P
    : undefined;

/** What `of(code, ...)` takes after the code: the spec's params if it has any, then extra options. */
export type ErrorArgs<S> = [ErrorParams<S>] extends [undefined]
  ? [options?: DomainErrorOptions]
  : [params: ErrorParams<S>, options?: DomainErrorOptions];

/**
 * Declares a feature's errors as one class and a table of its codes:
 *
 *     export const WebhookError = defineErrors('WebhookError', {
 *       [WebhookErrorCode.Archived]: {
 *         kind: 'invalid_state',
 *         message: ({ id }: { id: string }) => `webhook ${id} is archived and cannot be changed`,
 *       },
 *     } satisfies Record<WebhookErrorCode, ErrorSpec>);
 *     export type WebhookError = InstanceType<typeof WebhookError>;
 *
 *     throw WebhookError.of(WebhookErrorCode.Archived, { id });
 *
 * Every error is a DomainError (the problem filter and the consumer runner read kind, code,
 * message and options as ever); `instanceof WebhookError` tells a feature's errors apart and
 * narrows `code` to the feature's codes. Keep a class of its own only for an error that carries
 * typed data a caller reads.
 */
export function defineErrors<const T extends Record<string, ErrorSpec>>(name: string, table: T) {
  class FeatureError extends DomainError {
    declare readonly code: keyof T & string;

    /** The error of `code`, its message and options built from `params` where the table says so. */
    static of<C extends keyof T & string>(code: C, ...args: ErrorArgs<T[C]>): FeatureError {
      const spec: ErrorSpec = table[code];
      const takesParams = typeof spec.message === 'function' || typeof spec.options === 'function';
      const [params, extra] = (takesParams ? args : [undefined, ...args]) as [
        never,
        DomainErrorOptions | undefined,
      ];
      const message = typeof spec.message === 'function' ? spec.message(params) : spec.message;
      const options = typeof spec.options === 'function' ? spec.options(params, message) : spec.options;
      const fieldErrors = spec.fieldError ? [{ ...spec.fieldError, message }] : undefined;
      return new FeatureError(spec.kind, code, message, { fieldErrors, ...options, ...extra });
    }

    /** Whether `error` is this feature's error of `code`. */
    static is<C extends keyof T & string>(error: unknown, code: C): error is FeatureError & { code: C } {
      return error instanceof FeatureError && error.code === code;
    }
  }
  Object.defineProperty(FeatureError, 'name', { value: name });
  return FeatureError;
}
