/** Why an upstream exchange failed, as counted in `gateway_upstream_errors_total{kind}`. */
export type UpstreamErrorKind = 'timeout' | 'unavailable' | 'bad_gateway';

/** Raised by the gateway when an upstream stays silent longer than UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`no answer from the upstream within ${timeoutMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Connection-level failures: nothing is listening or the host cannot be reached. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifyUpstreamError(error: unknown): UpstreamErrorKind {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  const code = errorCode(error);
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  return 'bad_gateway';
}

export const upstreamErrorAnswer: Record<UpstreamErrorKind, { status: number; code: string }> = {
  timeout: { status: 504, code: 'gateway_timeout' },
  unavailable: { status: 503, code: 'service_unavailable' },
  bad_gateway: { status: 502, code: 'bad_gateway' },
};
