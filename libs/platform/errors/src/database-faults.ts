/**
 * Database errors that are the infrastructure's fault, not the request's or the message's: the
 * database could not be reached (or dropped the connection), or a statement ran past its
 * `statement_timeout` / waited past its `lock_timeout`. Read from the driver error (node-postgres
 * sets `code` to the SQLSTATE or to the socket's errno; TypeORM wraps it as `driverError`) by
 * duck-typing, so that this library needs neither driver.
 */
export type DatabaseFault = 'unavailable' | 'timeout';

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** SQLSTATEs of a database that is going away or cannot take the connection now. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** lock_not_available (lock_timeout) and query_canceled (statement_timeout). */
const TIMEOUT_STATES = new Set(['55P03', '57014']);

const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /\bconnection (?:is )?closed\b/i,
  /\b(?:ECONNREFUSED|ECONNRESET)\b/,
];

export function databaseFaultOf(error: unknown, depth = 0): DatabaseFault | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return 'unavailable';
    if (TIMEOUT_STATES.has(code)) return 'timeout';
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message)))
    return 'unavailable';
  return databaseFaultOf(driverError, depth + 1) ?? databaseFaultOf(cause, depth + 1);
}
