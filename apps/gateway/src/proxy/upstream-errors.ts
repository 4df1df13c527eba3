/** Why an upstream exchange failed, as counted in `gateway_upstream_errors_total{kind}`. */
export type UpstreamErrorKind = 'timeout' | 'unavailable' | 'bad_gateway';

/**
 * Raised by the gateway when an exchange stalls for UPSTREAM_TIMEOUT_MS because of the client (see
 * ResponseRelay); undici raises its own errors for the upstream's silences. Both are answered 504.
 */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`no answer from the upstream within ${timeoutMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/**
 * The upstream stayed silent for UPSTREAM_TIMEOUT_MS: undici's connect, headers (waiting for the
 * answer once the request is sent) and body (between two chunks of the answer) timeouts, and a
 * socket timeout of the OS.
 */
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Connection-level failures: nothing is listening or the host cannot be reached; also undici's
 * answer for a pool already closed (the gateway is shutting down), so the client retries elsewhere.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Anything not a timeout nor unavailable is a bad gateway: a reset or closed connection
 * (ECONNRESET, undici's UND_ERR_SOCKET), an unparsable answer (HPE_*), a body shorter or longer
 * than announced (UND_ERR_RES_CONTENT_LENGTH_MISMATCH).
 */
export function classifyUpstreamError(error: unknown): UpstreamErrorKind {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  return 'bad_gateway';
}

export const upstreamErrorAnswer: Record<UpstreamErrorKind, { status: number; code: string }> = {
  timeout: { status: 504, code: 'gateway_timeout' },
  unavailable: { status: 503, code: 'service_unavailable' },
  bad_gateway: { status: 502, code: 'bad_gateway' },
};
