import type { NextFunction, Request, Response } from 'express';
import type { DomainError } from './domain-error';
import type { ErrorSpec } from './error-table';
import { defineErrors } from './error-table';

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (type.startsWith('entity.') || type.endsWith('.unsupported'));
}

export enum BodyErrorCode {
  PayloadTooLarge = 'payload_too_large',
  MalformedBody = 'malformed_body',
  UnsupportedEncoding = 'unsupported_encoding',
  UnreadableBody = 'unreadable_body',
}

/** A request body the body parsers could not read. */
export const BodyError = defineErrors('BodyError', {
  [BodyErrorCode.PayloadTooLarge]: {
    kind: 'payload_too_large',
    message: 'The request body is larger than this endpoint accepts',
  },
  [BodyErrorCode.MalformedBody]: { kind: 'bad_request', message: 'The request body could not be parsed' },
  [BodyErrorCode.UnsupportedEncoding]: {
    kind: 'unsupported_media_type',
    message: 'The request body encoding is not supported',
  },
  [BodyErrorCode.UnreadableBody]: {
    kind: 'bad_request',
    message: ({ type }: { type: string }) => `The request body could not be read (${type})`,
  },
} satisfies Record<BodyErrorCode, ErrorSpec>);
export type BodyError = InstanceType<typeof BodyError>;

/** Turns a body-parser failure into the domain error the problem+json filter renders. */
export function bodyParserErrorToDomainError(error: BodyParserError): DomainError {
  switch (error.type) {
    case 'entity.too.large':
      return BodyError.of(BodyErrorCode.PayloadTooLarge);
    case 'entity.parse.failed':
      return BodyError.of(BodyErrorCode.MalformedBody);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return BodyError.of(BodyErrorCode.UnsupportedEncoding);
    default:
      return BodyError.of(BodyErrorCode.UnreadableBody, { type: error.type });
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
