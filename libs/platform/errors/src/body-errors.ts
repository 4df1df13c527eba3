import type { NextFunction, Request, Response } from 'express';
import { DomainError } from './domain-error';

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (type.startsWith('entity.') || type.endsWith('.unsupported'));
}

/** Turns a body-parser failure into the domain error the problem+json filter renders. */
export function bodyParserErrorToDomainError(error: BodyParserError): DomainError {
  switch (error.type) {
    case 'entity.too.large':
      return new DomainError(
        'payload_too_large',
        'payload_too_large',
        'The request body is larger than this endpoint accepts',
      );
    case 'entity.parse.failed':
      return new DomainError('bad_request', 'malformed_body', 'The request body could not be parsed');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new DomainError(
        'unsupported_media_type',
        'unsupported_encoding',
        'The request body encoding is not supported',
      );
    default:
      return new DomainError(
        'bad_request',
        'unreadable_body',
        `The request body could not be read (${error.type})`,
      );
  }
}

/**
 * Express error middleware mounted right after the body parsers: Nest would otherwise reduce a
 * parse failure to a bare 400, losing which problem it was.
 */
export function bodyParserErrorMiddleware(
  error: unknown,
  _req: Request,
  _res: Response,
  next: NextFunction,
): void {
  next(isBodyParserError(error) ? bodyParserErrorToDomainError(error) : error);
}
