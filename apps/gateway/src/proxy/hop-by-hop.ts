import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), so a proxy never
 * forwards them. `Transfer-Encoding` and `Content-Length` are message framing that Node sets
 * for each leg itself; `Proxy-Connection` is the non-standard alias some clients still send.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
];

/** Lower-case names of every hop-by-hop header present, including those listed in `Connection`. */
export function hopByHopHeaderNames(headers: IncomingHttpHeaders): string[] {
  const present: string[] = [];
  for (const name of HOP_BY_HOP_HEADERS) if (headers[name] !== undefined) present.push(name);
  const connection = headers.connection;
  if (connection === undefined) return present;
  const listed = Array.isArray(connection) ? connection.join(',') : connection;
  for (const token of listed.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && headers[name] !== undefined && !present.includes(name)) present.push(name);
  }
  return present;
}

/** A copy of the headers without any hop-by-hop header. */
export function withoutHopByHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const remove = new Set(hopByHopHeaderNames(headers));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !remove.has(name.toLowerCase())));
}
