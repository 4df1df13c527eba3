import { PROBLEM_CONTENT_TYPE, problem } from '@leadflow/platform/errors';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers a problem+json document from plain middleware (outside Nest's exception filters),
 * with the same `instance` and `requestId` members the ProblemDetailsFilter adds (and the
 * request id echoed in `X-Request-Id`, as on every answer).
 */
export function writeProblem(
  req: IncomingMessage,
  res: ServerResponse,
  answer: {
    status: number;
    code: string;
    detail: string;
    extra?: Record<string, unknown>;
    headers?: Record<string, string>;
  },
): void {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const requestId = typeof req.id === 'string' ? req.id : undefined;
  const body = JSON.stringify(
    problem(answer.status, answer.code, answer.detail, {
      instance: url.split('?', 1)[0],
      ...(requestId ? { requestId } : {}),
      ...answer.extra,
    }),
  );
  res.statusCode = answer.status;
  if (requestId) res.setHeader('X-Request-Id', requestId);
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.end(body);
}
