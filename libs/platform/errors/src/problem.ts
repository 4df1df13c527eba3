import type { FieldError, ProblemDocument } from '@leadflow/contracts';
import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://leadflow.dev/problems/';

/** Builds an RFC 9457 problem document; `type` is derived from the stable code. */
export function problem(
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[]; instance?: string; requestId?: string; [k: string]: unknown } = {},
): ProblemDocument {
  const { errors, ...rest } = extra;
  return {
    type: TYPE_BASE + code.replace(/_/g, '-'),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...rest,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
