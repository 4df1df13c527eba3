import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { databaseFaultOf } from './database-faults';
import { DomainError, statusOfKind } from './domain-error';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

const httpCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/**
 * Answers `exception` as RFC 9457 problem+json with a stable code — the one HTTP error mapper,
 * used by ProblemDetailsFilter for Nest's routes and by handlers mounted ahead of them. A database
 * fault (unreachable, or a statement/lock timeout) answers 503 with Retry-After; other unexpected
 * errors are logged with their stack and answer a 500 that reveals nothing.
 */
export function answerProblem(
  exception: unknown,
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  logger: Pick<Logger, 'error'>,
): void {
  const instance = (req.originalUrl ?? req.url)?.split('?')[0];
  const requestId = typeof req.id === 'string' ? req.id : (req.headers['x-request-id'] as string | undefined);
  const base = { instance, ...(requestId ? { requestId } : {}) };
  let status: number;
  let body;
  if (exception instanceof DomainError) {
    status = statusOfKind[exception.kind];
    body = problem(status, exception.code, exception.message, {
      ...exception.details,
      ...base, // the request's id and path, whatever an error's details are called
      errors: exception.fieldErrors,
    });
    if (!res.headersSent) {
      if (exception.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(exception.retryAfterSeconds));
      for (const [name, value] of Object.entries(exception.headers ?? {})) res.setHeader(name, value);
    }
    if (status >= 500) logger.error({ err: exception, code: exception.code }, exception.message);
  } else if (exception instanceof HttpException) {
    status = exception.getStatus();
    const code = httpCodes[status] ?? (status >= 500 ? 'internal_error' : 'http_error');
    const detail =
      status === 404 &&
      exception.constructor.name === 'NotFoundException' &&
      /^Cannot /.test(exception.message)
        ? `No route for ${req.method} ${instance}`
        : exception.message;
    body = problem(status, code, detail, base);
  } else if (databaseFaultOf(exception)) {
    // The database is down or overloaded (a statement or lock timeout): the client may retry.
    status = 503;
    const fault = databaseFaultOf(exception);
    logger.error({ err: exception, fault }, 'database fault');
    if (!res.headersSent) res.setHeader('Retry-After', '2');
    body = problem(
      503,
      fault === 'timeout' ? 'database_busy' : 'database_unavailable',
      fault === 'timeout'
        ? 'The database did not answer in time; try again shortly'
        : 'The database is unavailable; try again shortly',
      base,
    );
  } else {
    status = 500;
    logger.error({ err: exception }, 'unhandled error');
    body = problem(500, 'internal_error', 'An unexpected error occurred; it has been logged', base);
  }
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Nest's side of the one HTTP error mapper (see answerProblem). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    answerProblem(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>(), this.logger);
  }
}
