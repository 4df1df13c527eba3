import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:http';

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: () => unknown;
}

export interface ClientRequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** Sent as one buffer, or chunk by chunk (chunked encoding) when given an async producer. */
  body?: Buffer | ((write: (chunk: Buffer) => Promise<void>) => Promise<void>);
}

let defaultHeaders: OutgoingHttpHeaders = {};

/** Headers every request of this client carries unless the request sets them (e.g. a token). */
export function setDefaultHeaders(headers: OutgoingHttpHeaders): void {
  defaultHeaders = headers;
}

/**
 * A raw node:http client (fetch refuses to send hop-by-hop headers). One connection per request,
 * the path is sent exactly as given (no normalization of `..`).
 */
export async function send(
  baseUrl: string,
  path: string,
  options: ClientRequestOptions = {},
): Promise<ClientResponse> {
  const url = new URL(baseUrl);
  return new Promise<ClientResponse>((resolve, reject) => {
    const headers = { ...defaultHeaders, ...options.headers };
    // Node sends no Content-Length for a DELETE body on its own; a whole buffer always gets one.
    if (Buffer.isBuffer(options.body)) headers['content-length'] = options.body.length;
    const req = request(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) {
      req.end();
    } else if (Buffer.isBuffer(body)) {
      req.end(body);
    } else {
      const write = (chunk: Buffer) =>
        new Promise<void>((done, fail) => req.write(chunk, (error) => (error ? fail(error) : done())));
      body(write).then(
        () => req.end(),
        (error: unknown) => {
          req.destroy(error instanceof Error ? error : new Error(String(error)));
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  });
}
