export interface ForwardedInput {
  /** Address of the peer that connected to the gateway. */
  peerAddress: string | undefined;
  /** Whether that peer is a proxy we trust (its `X-Forwarded-For` is then kept). */
  peerTrusted: boolean;
  /** `X-Forwarded-For` the peer sent, if any. */
  incomingFor: string | string[] | undefined;
  /** Protocol and host the client used (already resolved through trusted proxies). */
  protocol: string;
  host: string | undefined;
}

export interface ForwardedHeaders {
  'x-forwarded-for': string;
  'x-forwarded-proto': string;
  'x-forwarded-host'?: string;
}

/**
 * `X-Forwarded-*` for the upstream request. The client chain is kept only when it came from a
 * trusted proxy; otherwise a client could claim any address, host or protocol.
 */
export function forwardedHeaders(input: ForwardedInput): ForwardedHeaders {
  const peer = input.peerAddress ?? 'unknown';
  const incoming = Array.isArray(input.incomingFor)
    ? input.incomingFor.join(', ')
    : input.incomingFor?.trim();
  const chain = input.peerTrusted && incoming ? `${incoming}, ${peer}` : peer;
  return {
    'x-forwarded-for': chain,
    'x-forwarded-proto': input.protocol,
    ...(input.host ? { 'x-forwarded-host': input.host } : {}),
  };
}
