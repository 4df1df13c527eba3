import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UpstreamService } from '../src/routing/route-table';
import { API_RESOURCES } from '../src/routing/route-table';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
  bodySha256: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/**
 * A stand-in for one LeadFlow service on 127.0.0.1: records what reaches it, answers `/readyz`
 * and `/openapi.json` like a real service, and takes per-path handlers for special behaviour.
 */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  readyStatus = 200;
  /** When set, `/readyz` never answers (to exercise the readiness timeout). */
  readyHangs = false;
  private readonly handlers = new Map<string, Handler>();
  /** Handlers that take the raw request stream (the body is not read first). */
  private readonly streamHandlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  private server: Server | undefined;
  port = 0;

  constructor(readonly name: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  on(path: string, handler: Handler): void {
    this.handlers.set(path, handler);
  }

  onStream(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
    this.streamHandlers.set(path, handler);
  }

  last(): RecordedRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error(`${this.name} received no request`);
    return last;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every open connection, so the port refuses connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0];
    const streamHandler = this.streamHandlers.get(path);
    if (streamHandler) {
      streamHandler(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyLength: body.length,
        bodySha256: createHash('sha256').update(body).digest('hex'),
      });
      const handler = this.handlers.get(path);
      if (handler) handler(req, res, body);
      else if (path === '/readyz') this.ready(res);
      else if (path === '/openapi.json') this.json(res, 200, openApiDocument(this.name));
      else this.json(res, 200, { service: this.name, method: req.method, url: req.url });
    });
  }

  private ready(res: ServerResponse): void {
    if (this.readyHangs) return;
    const ok = this.readyStatus === 200;
    this.json(res, this.readyStatus, {
      service: this.name,
      status: ok ? 'ok' : 'error',
      info: {},
      error: {},
      details: {},
    });
  }

  json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

export function openApiDocument(service: string): Record<string, unknown> {
  return {
    openapi: '3.0.0',
    info: { title: `LeadFlow ${service}`, version: '1' },
    paths: {
      // one routed path, and one the gateway does not route (left out of the merged document)
      [`/api/v1/${API_RESOURCES[service as UpstreamService][0]}/{id}`]: {
        get: { operationId: `${service}_get`, responses: { 200: { description: 'ok' } } },
      },
      '/admin/dlq': { get: { operationId: `${service}_dlq`, responses: { 200: { description: 'ok' } } } },
    },
  };
}
