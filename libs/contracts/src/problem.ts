/** RFC 9457 problem details, as every LeadFlow API answers errors. */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `consent.timestamp` or `tags[2]`. */
  field: string;
  /** The rule it broke, e.g. `isEmail`, `maxLength`, `required`. */
  rule: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable, machine-readable error code, e.g. `validation_failed`, `not_found`. */
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Cursor-paginated list answer. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
