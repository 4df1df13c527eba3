/**
 * What kind of failure a domain error is. The HTTP filter maps a kind to a status; the Kafka
 * consumer runner maps it to "retry" or "dead-letter now".
 */
export type ErrorKind =
  | 'bad_request'
  | 'unsupported_media_type'
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_state'
  | 'locked'
  | 'gone'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface DomainErrorOptions {
  /** Extra members for the problem document (never secrets or personal data). */
  details?: Record<string, unknown>;
  fieldErrors?: { field: string; rule: string; message: string }[];
  /** Seconds a client should wait before trying again (429, 503). */
  retryAfterSeconds?: number;
  /** Response headers the error implies (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * Base of every error a service throws on purpose. `code` is stable and machine-readable
 * (each feature keeps its codes in an enum in `<feature>.errors.ts`).
 */
export class DomainError extends Error {
  readonly details?: Record<string, unknown>;
  readonly fieldErrors?: DomainErrorOptions['fieldErrors'];
  readonly retryAfterSeconds?: number;
  readonly headers?: Record<string, string>;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.fieldErrors = options.fieldErrors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }

  /** Whether retrying the same input could succeed (drives Kafka retry vs dead-letter). */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'internal' || this.kind === 'rate_limited';
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string) {
    super('not_found', 'not_found', `${resource} ${id} was not found`, { details: { resource } });
  }
}

export const statusOfKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unsupported_media_type: 415,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  locked: 423,
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};
