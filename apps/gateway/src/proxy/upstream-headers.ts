import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { hopByHopHeaderNames } from './hop-by-hop';

/**
 * Headers the gateway never copies from the client to the upstream, beside the hop-by-hop ones:
 * `Host` (the pool sends the upstream's own host:port, as a proxy with `changeOrigin` does),
 * `Transfer-Encoding` (framing undici sets itself for the body it streams) and `Expect` (Node
 * already answered `100 Continue` to the client; the expectation ends at this hop).
 */
const NOT_FORWARDED = ['host', 'transfer-encoding', 'expect'];

/**
 * The upstream request's headers as undici takes them, a flat `[name, value, name, value...]`
 * list: the client's end-to-end headers (a header given several values becomes several lines),
 * then `set` (request/correlation ids, X-Forwarded-*), which replaces any client header of the
 * same name.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  set: Readonly<Record<string, string | undefined>>,
): string[] {
  const hopByHop = hopByHopHeaderNames(incoming);
  const headers: string[] = [];
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || set[name] !== undefined) continue;
    if (NOT_FORWARDED.includes(name) || hopByHop.includes(name)) continue;
    if (typeof value === 'string') headers.push(name, value);
    else for (const line of value) headers.push(name, line);
  }
  for (const name in set) {
    const value = set[name];
    if (value !== undefined) headers.push(name, value);
  }
  return headers;
}

/**
 * Whether the client's request has a body to stream on (RFC 9112 §6.3: it announced a length or
 * a transfer coding). Without one the upstream request is sent without a body, not as an empty
 * stream.
 */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export interface ClientHop {
  /** Whether the client's connection stays open after this answer (`ServerResponse.shouldKeepAlive`). */
  keepAlive: boolean;
  /** The client's HTTP version: `1.0` clients get neither chunked framing nor a kept-alive connection. */
  httpVersion: string;
  /** The gateway's id of the request, echoed as `X-Request-Id`. */
  requestId: string | undefined;
}

/**
 * The client's response headers, made from the upstream's: hop-by-hop headers removed (including
 * those its `Connection` names), `Connection` describing the client's own hop and `X-Request-Id`
 * set to the gateway's id. Repeated headers (several `Set-Cookie`...) stay repeated.
 */
export function clientResponseHeaders(upstream: IncomingHttpHeaders, hop: ClientHop): OutgoingHttpHeaders {
  const http10 = hop.httpVersion === '1.0';
  const dropped = hopByHopHeaderNames(upstream);
  // A 1.0 client cannot read chunked framing; Node delimits the body by closing the connection.
  if (http10) dropped.push('transfer-encoding');
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value !== undefined && !dropped.includes(name)) headers[name] = value;
  }
  headers.connection = hop.keepAlive && !http10 ? 'keep-alive' : 'close';
  if (hop.requestId !== undefined) headers['x-request-id'] = hop.requestId;
  return headers;
}
