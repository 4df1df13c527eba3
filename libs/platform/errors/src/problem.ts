import type { FieldError, ProblemDocument } from '@leadflow/contracts';
import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://leadflow.dev/problems/';

/**
 * Builds an RFC 9457 problem document; `type` is derived from the stable code. Extension members
 * (`extra`) come first: `type`, `title`, `status`, `detail` and `code` are always the problem's own.
 */
export function problem(
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[]; instance?: string; requestId?: string; [k: string]: unknown } = {},
): ProblemDocument {
  const { errors, ...rest } = extra;
  // Extension members never replace the standard ones (an error's `status` detail is not the HTTP status).
  return {
    ...rest,
    type: TYPE_BASE + code.replace(/_/g, '-'),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
