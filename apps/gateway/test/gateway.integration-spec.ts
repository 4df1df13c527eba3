import { loadConfig } from '@leadflow/platform/config';
import { MetricsListener } from '@leadflow/platform/observability';
import type { INestApplication } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { GatewayEnv } from '../src/config/env.schema';
import { createGatewayApp } from '../src/gateway-app';
import type { UpstreamService } from '../src/routing/route-table';
import { API_RESOURCES, UPSTREAM_SERVICES } from '../src/routing/route-table';
import { FakeUpstream, openApiDocument } from './fake-upstream';
import type { ClientResponse } from './http-client';
import { send, setDefaultHeaders } from './http-client';
import { TokenIssuer } from './token-issuer';

const UPSTREAM_TIMEOUT_MS = 600;
/**
 * undici checks its headers and body timeouts on a ~0.5 s tick (its "fast timers"), crediting a
 * timer armed between two ticks with the whole first tick: a wait for the upstream ends between
 * UPSTREAM_TIMEOUT_MS − 499 ms and UPSTREAM_TIMEOUT_MS + 499 ms.
 */
const UNDICI_TIMER_TICK_MS = 499;
const READINESS_TIMEOUT_MS = 400;
const OPERATOR = `operator-${randomUUID()}`;
const asOperator = { headers: { 'x-operator-token': OPERATOR } };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends raw bytes on a new connection and collects everything until the gateway closes it. */
function rawExchange(baseUrl: string, text: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** Resolves when the upstream's side of an exchange closes, telling whether its answer was complete. */
function upstreamClosed(res: ServerResponse): Promise<{ finished: boolean; at: number }> {
  return new Promise((resolve) =>
    res.once('close', () => resolve({ finished: res.writableFinished, at: Date.now() })),
  );
}

function expectProblem(res: ClientResponse, status: number, code: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining('https://leadflow.dev/problems/'),
  });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

describe('gateway (real app, real upstream HTTP servers)', () => {
  const upstreams = Object.fromEntries(UPSTREAM_SERVICES.map((s) => [s, new FakeUpstream(s)])) as Record<
    UpstreamService,
    FakeUpstream
  >;
  let app: INestApplication;
  let gateway: string;
  let metricsUrl: string;

  beforeAll(async () => {
    await Promise.all(Object.values(upstreams).map((u) => u.start()));
    for (const service of UPSTREAM_SERVICES)
      process.env[`${service.toUpperCase()}_URL`] = upstreams[service].url;
    process.env.UPSTREAM_TIMEOUT_MS = String(UPSTREAM_TIMEOUT_MS);
    process.env.READINESS_TIMEOUT_MS = String(READINESS_TIMEOUT_MS);
    process.env.LOG_LEVEL = 'silent';
    process.env.OPERATOR_TOKEN = OPERATOR;
    // The edge verifies tokens against identity's JWKS (here the fake identity's) before proxying.
    const issuer = await TokenIssuer.create();
    upstreams.identity.on('/test-jwks.json', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(issuer.jwks());
    });
    process.env.IDENTITY_JWKS_URL = `${upstreams.identity.url}/test-jwks.json`;
    process.env.RATE_LIMIT_KEY_PREFIX = `test:${randomUUID()}:`;
    setDefaultHeaders({ authorization: `Bearer ${await issuer.token()}` });
    // Settings are read here, after the environment is set, exactly as main.ts reads them
    // (nothing reads the environment when the gateway's modules are imported).
    app = await createGatewayApp(loadConfig(GatewayEnv));
    await app.listen(0, '127.0.0.1');
    gateway = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    metricsUrl = app.get(MetricsListener).url;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(upstreams).map((u) => u.stop()));
  });

  describe('routing', () => {
    it.each([
      ['GET', '/api/v1/me', 'identity'],
      ['GET', '/api/v1/leads?status=new&limit=5', 'ingestion'],
      ['POST', '/api/v1/skip-traces', 'enrichment'],
      ['PATCH', '/api/v1/campaigns/0192f1d2-8c4e-7b3a-9f00-1234567890ab', 'campaigns'],
      ['GET', '/api/v1/call-queue', 'voice'],
      ['DELETE', '/api/v1/routing-rules/r1', 'routing'],
      ['GET', '/api/v1/analytics/summary?from=2026-01-01', 'analytics'],
      ['POST', '/webhooks/leads/0192f1d2-8c4e-7b3a-9f00-1234567890ab', 'ingestion'],
      ['GET', '/t/o/tok123', 'campaigns'],
      ['POST', '/u/tok123', 'campaigns'],
      ['POST', '/callbacks/voice/acme', 'voice'],
      ['GET', '/.well-known/jwks.json', 'identity'],
    ] as const)('%s %s reaches %s with the path and query unchanged', async (method, path, service) => {
      const res = await send(gateway, path, {
        method,
        body: method === 'GET' ? undefined : Buffer.from('{"a":1}'),
      });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ service, method, url: path });
      expect(upstreams[service].last()).toMatchObject({ method, url: path });
    });

    it('answers 404 problem+json for an /api/v1 resource no service owns, without calling anyone', async () => {
      const before = UPSTREAM_SERVICES.map((s) => upstreams[s].requests.length);
      const body = expectProblem(await send(gateway, '/api/v1/x'), 404, 'not_found');
      expect(body.instance).toBe('/api/v1/x');
      expect(UPSTREAM_SERVICES.map((s) => upstreams[s].requests.length)).toEqual(before);
    });

    it('answers 404 problem+json for a path that is neither proxied nor the gateway’s own', async () => {
      expectProblem(await send(gateway, '/nothing-here'), 404, 'not_found');
    });

    it.each([
      '/api/v1/../x',
      '/api/v1/leads/../../admin',
      '/api/v1/leads/%2e%2e/x',
      '/webhooks/..%2F..%2Fadmin',
    ])('refuses the traversal path %s with 400 and forwards nothing', async (path) => {
      const before = UPSTREAM_SERVICES.map((s) => upstreams[s].requests.length);
      expectProblem(await send(gateway, path), 400, 'bad_request');
      expect(UPSTREAM_SERVICES.map((s) => upstreams[s].requests.length)).toEqual(before);
    });

    it('passes upstream answers through untouched, errors included', async () => {
      const problem = {
        type: 'https://leadflow.dev/problems/validation-failed',
        status: 422,
        code: 'validation_failed',
      };
      upstreams.ingestion.on('/api/v1/leads/invalid', (_req, res) =>
        upstreams.ingestion.json(res, 422, problem, 'application/problem+json'),
      );
      const res = await send(gateway, '/api/v1/leads/invalid', { method: 'POST', body: Buffer.from('{}') });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.json()).toEqual(problem);
    });
  });

  describe('streaming', () => {
    const echo = (service: FakeUpstream) =>
      service.on('/api/v1/imports/echo', (_req, res, body) => {
        res.writeHead(201, { 'content-type': 'application/octet-stream', 'x-received-sha256': sha256(body) });
        // Answer in many small writes so the response is streamed back too.
        for (let offset = 0; offset < body.length; offset += 64 * 1024)
          res.write(body.subarray(offset, offset + 64 * 1024));
        res.end();
      });

    it('streams a 5 MB chunked POST body to the upstream byte for byte, and streams the answer back', async () => {
      echo(upstreams.ingestion);
      const payload = randomBytes(5 * 1024 * 1024);
      const res = await send(gateway, '/api/v1/imports/echo', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: async (write) => {
          for (let offset = 0; offset < payload.length; offset += 256 * 1024)
            await write(payload.subarray(offset, offset + 256 * 1024));
        },
      });
      expect(res.status).toBe(201);
      const received = upstreams.ingestion.last();
      expect(received.bodyLength).toBe(payload.length);
      expect(received.bodySha256).toBe(sha256(payload));
      expect(received.headers['content-type']).toBe('text/csv');
      expect(res.headers['x-received-sha256']).toBe(sha256(payload));
      expect(res.body.length).toBe(payload.length);
      expect(sha256(res.body)).toBe(sha256(payload));
    });

    it('forwards a body with Content-Length intact', async () => {
      echo(upstreams.ingestion);
      const payload = randomBytes(5 * 1024 * 1024 + 17);
      const res = await send(gateway, '/api/v1/imports/echo', { method: 'PUT', body: payload });
      expect(res.status).toBe(201);
      expect(upstreams.ingestion.last().headers['content-length']).toBe(String(payload.length));
      expect(upstreams.ingestion.last().bodySha256).toBe(sha256(payload));
      expect(sha256(res.body)).toBe(sha256(payload));
    });

    it('delivers the first bytes upstream before the client has finished sending (no buffering)', async () => {
      let firstBytes!: () => void;
      const firstBytesArrived = new Promise<void>((resolve) => (firstBytes = resolve));
      let total = 0;
      upstreams.ingestion.onStream('/api/v1/imports/stream', (req, res) => {
        req.on('data', (chunk: Buffer) => {
          total += chunk.length;
          firstBytes();
        });
        req.on('end', () => upstreams.ingestion.json(res, 202, { received: total }));
      });
      const first = randomBytes(64 * 1024);
      const rest = randomBytes(2 * 1024 * 1024);
      const res = await send(gateway, '/api/v1/imports/stream', {
        method: 'POST',
        body: async (write) => {
          await write(first);
          // If the gateway buffered the body, the upstream would see nothing until we end: fail fast.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            firstBytesArrived,
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error('upstream saw no bytes before the body ended')),
                5000,
              );
            }),
          ]).finally(() => clearTimeout(timer));
          await write(rest);
        },
      });
      expect(res.status).toBe(202);
      expect(res.json()).toEqual({ received: first.length + rest.length });
    });
  });

  describe('headers', () => {
    it('forwards the caller’s X-Request-Id and X-Correlation-Id and echoes the request id', async () => {
      upstreams.identity.on('/api/v1/me', (_req, res) => {
        res.setHeader('x-request-id', 'upstream-made-this-up');
        upstreams.identity.json(res, 200, { ok: true });
      });
      const res = await send(gateway, '/api/v1/me', {
        headers: { 'x-request-id': 'req-abc-123', 'x-correlation-id': 'corr-42' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('req-abc-123');
      const seen = upstreams.identity.last().headers;
      expect(seen['x-request-id']).toBe('req-abc-123');
      expect(seen['x-correlation-id']).toBe('corr-42');
    });

    it('makes up a request id when there is none (or it is not a plain token) and forwards that one', async () => {
      const res = await send(gateway, '/api/v1/workspaces', {
        headers: { 'x-request-id': 'not a token; <script>' },
      });
      const id = res.headers['x-request-id'];
      expect(id).toMatch(UUID);
      const seen = upstreams.identity.last().headers;
      expect(seen['x-request-id']).toBe(id);
      expect(seen['x-correlation-id']).toBe(id);
    });

    it('sets X-Forwarded-For/Proto/Host', async () => {
      const host = new URL(gateway).host;
      await send(gateway, '/api/v1/leads', { headers: { host: 'api.leadflow.test' } });
      expect(upstreams.ingestion.last().headers).toMatchObject({
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'api.leadflow.test',
        host: new URL(upstreams.ingestion.url).host,
      });
      // A loopback peer is a trusted proxy: its chain is kept and extended.
      await send(gateway, '/api/v1/leads', { headers: { 'x-forwarded-for': '198.51.100.9' } });
      expect(upstreams.ingestion.last().headers['x-forwarded-for']).toBe('198.51.100.9, 127.0.0.1');
      expect(upstreams.ingestion.last().headers['x-forwarded-host']).toBe(host);
    });

    it('strips hop-by-hop headers from the request, including those named in Connection', async () => {
      const res = await send(gateway, '/api/v1/leads/hop', {
        method: 'POST',
        headers: {
          connection: 'keep-alive, X-Client-Hop',
          'x-client-hop': 'secret',
          'keep-alive': 'timeout=99',
          te: 'trailers',
          trailer: 'X-Checksum',
          upgrade: 'h2c',
          'proxy-authorization': 'Basic dXNlcjpwYXNz',
          'proxy-connection': 'keep-alive',
          'x-end-to-end': 'kept',
        },
        body: async (write) => write(Buffer.from('chunked body')),
      });
      expect(res.status).toBe(200);
      const seen = upstreams.ingestion.last();
      expect(seen.bodySha256).toBe(sha256(Buffer.from('chunked body')));
      for (const name of [
        'x-client-hop',
        'keep-alive',
        'te',
        'trailer',
        'upgrade',
        'proxy-authorization',
        'proxy-connection',
      ]) {
        expect(seen.headers).not.toHaveProperty(name);
      }
      expect(String(seen.headers.connection ?? '')).not.toMatch(/x-client-hop/i);
      expect(seen.headers['x-end-to-end']).toBe('kept');
    });

    it('strips hop-by-hop headers from the response, including those named in Connection', async () => {
      upstreams.ingestion.on('/api/v1/leads/hop-back', (_req, res) => {
        res.writeHead(200, {
          connection: 'keep-alive, X-Upstream-Hop',
          'x-upstream-hop': 'secret',
          'keep-alive': 'timeout=42',
          'proxy-authenticate': 'Basic realm="upstream"',
          trailer: 'X-Checksum',
          upgrade: 'h2c',
          'content-type': 'text/plain',
          'x-end-to-end': 'kept',
        });
        res.write('part one, ');
        res.end('part two');
      });
      const res = await send(gateway, '/api/v1/leads/hop-back');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('part one, part two');
      for (const name of ['x-upstream-hop', 'proxy-authenticate', 'trailer', 'upgrade'])
        expect(res.headers).not.toHaveProperty(name);
      expect(res.headers['keep-alive']).not.toBe('timeout=42');
      expect(String(res.headers.connection)).not.toMatch(/x-upstream-hop/i);
      expect(res.headers['x-end-to-end']).toBe('kept');
    });

    it('passes several Set-Cookie headers and other repeated headers back', async () => {
      upstreams.identity.on('/api/v1/auth/cookies', (_req, res) => {
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
        res.setHeader('x-repeated', ['one', 'two']);
        upstreams.identity.json(res, 200, { ok: true });
      });
      const res = await send(gateway, '/api/v1/auth/cookies', { method: 'POST', body: Buffer.from('{}') });
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(res.headers['x-repeated']).toBe('one, two');
    });

    it('ends an Expect: 100-continue at the gateway and forwards the body', async () => {
      const res = await send(gateway, '/api/v1/leads/expect', {
        method: 'POST',
        headers: { expect: '100-continue', 'content-type': 'application/json' },
        body: Buffer.from('{"a":1}'),
      });
      expect(res.status).toBe(200);
      const seen = upstreams.ingestion.last();
      expect(seen.headers.expect).toBeUndefined();
      expect(seen.bodySha256).toBe(sha256(Buffer.from('{"a":1}')));
    });

    it('answers HEAD with the upstream’s headers and no body', async () => {
      const res = await send(gateway, '/api/v1/leads', { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
      expect(res.body.length).toBe(0);
      expect(upstreams.ingestion.last().method).toBe('HEAD');
    });

    it('answers an HTTP/1.0 client without chunked framing, closing the connection', async () => {
      upstreams.ingestion.on('/webhooks/chunked', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part one, ');
        res.end('part two');
      });
      const raw = await rawExchange(gateway, 'GET /webhooks/chunked HTTP/1.0\r\n\r\n');
      const [head, body] = raw.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
      expect(head.toLowerCase()).not.toContain('transfer-encoding');
      expect(head.toLowerCase()).toContain('connection: close');
      expect(body).toBe('part one, part two');
    });
  });

  describe('client connections', () => {
    it('keeps an idle keep-alive connection open longer than clients and ingresses keep theirs (no reuse race)', async () => {
      upstreams.ingestion.on('/webhooks/idle', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      });
      const url = new URL(gateway);
      const socket = connect(Number(url.port), url.hostname);
      let received = '';
      let closed = false;
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => (closed = true));
      const exchange = async (): Promise<void> => {
        received = '';
        socket.write(`GET /webhooks/idle HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
        for (let waited = 0; !received.endsWith('\r\n\r\nok'); waited += 20) {
          if (closed || waited > 5000) throw new Error(`no answer (closed: ${closed}): ${received}`);
          await sleep(20);
        }
        expect(received).toMatch(/^HTTP\/1\.1 200 /);
      };
      await exchange();
      // Past Node's default keepAliveTimeout (5 s), which made a client that reused its socket
      // just then (its own idle timer late, e.g. a busy event loop) meet a closed connection.
      await sleep(6000);
      expect(closed).toBe(false);
      await exchange();
      socket.destroy();
    }, 20_000);
  });

  describe('upstream failures', () => {
    it('answers 504 problem+json when the upstream stays silent past UPSTREAM_TIMEOUT_MS', async () => {
      upstreams.voice.on('/api/v1/calls/slow', () => undefined);
      const started = Date.now();
      const res = await send(gateway, '/api/v1/calls/slow');
      const elapsed = Date.now() - started;
      const body = expectProblem(res, 504, 'gateway_timeout');
      expect(body.service).toBe('voice');
      expect(elapsed).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - UNDICI_TIMER_TICK_MS);
      expect(elapsed).toBeLessThan(UPSTREAM_TIMEOUT_MS + 2000);
      const metrics = (await send(metricsUrl, '/metrics')).body.toString();
      expect(metrics).toMatch(
        /gateway_upstream_errors_total\{[^}]*service="voice"[^}]*kind="timeout"[^}]*\} [1-9]/,
      );
    });

    it('answers 502 problem+json when the upstream drops the connection without answering', async () => {
      upstreams.routing.on('/api/v1/deliveries/drop', (req) => req.socket.destroy());
      const body = expectProblem(await send(gateway, '/api/v1/deliveries/drop'), 502, 'bad_gateway');
      expect(body.service).toBe('routing');
    });

    it('cuts the client’s connection when the upstream fails after its answer started', async () => {
      upstreams.routing.on('/api/v1/deliveries/half', (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('only the first bytes', () => setTimeout(() => req.socket.destroy(), 50));
      });
      await expect(send(gateway, '/api/v1/deliveries/half')).rejects.toThrow();
    });

    it('answers 504 when the client stops sending its body for UPSTREAM_TIMEOUT_MS', async () => {
      let closed!: Promise<{ finished: boolean; at: number }>;
      upstreams.ingestion.onStream('/api/v1/imports/stalled', (req, res) => {
        closed = upstreamClosed(res);
        req.resume();
      });
      const res = await send(gateway, '/api/v1/imports/stalled', {
        method: 'POST',
        body: async (write) => {
          await write(randomBytes(64 * 1024));
          await sleep(UPSTREAM_TIMEOUT_MS * 3);
        },
      });
      const body = expectProblem(res, 504, 'gateway_timeout');
      expect(body.service).toBe('ingestion');
      expect((await closed).finished).toBe(false);
    });
  });

  describe('the client’s side of an exchange', () => {
    it('pauses the upstream while the client does not read, and streams everything once it does', async () => {
      const total = 64 * 1024 * 1024;
      const chunk = randomBytes(64 * 1024);
      let written = 0;
      upstreams.ingestion.onStream('/webhooks/big-download', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });
      const url = new URL(gateway);
      const { received, writtenWhilePaused } = await new Promise<{
        received: number;
        writtenWhilePaused: number;
      }>((resolve, reject) => {
        const req = request(
          { host: url.hostname, port: url.port, path: '/webhooks/big-download', agent: false },
          (res: IncomingMessage) => {
            res.pause();
            setTimeout(() => {
              const writtenWhilePaused = written;
              let received = 0;
              res.on('data', (data: Buffer) => (received += data.length));
              res.on('end', () => resolve({ received, writtenWhilePaused }));
              res.on('error', reject);
              res.resume();
            }, UPSTREAM_TIMEOUT_MS / 2);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(writtenWhilePaused).toBeLessThan(total / 2);
      expect(received).toBe(total);
    });

    it('cuts an exchange whose client stops reading for UPSTREAM_TIMEOUT_MS', async () => {
      let closed!: Promise<{ finished: boolean; at: number }>;
      upstreams.ingestion.onStream('/webhooks/unread-download', (_req, res) => {
        closed = upstreamClosed(res);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = randomBytes(64 * 1024);
        const pump = () => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        pump();
      });
      const url = new URL(gateway);
      const outcome = await new Promise<string>((resolve) => {
        const req = request(
          { host: url.hostname, port: url.port, path: '/webhooks/unread-download', agent: false },
          (res: IncomingMessage) => {
            res.pause();
            res.on('error', () => resolve('cut'));
            res.on('end', () => resolve('ended'));
            // Reads again only after the gateway has given up.
            setTimeout(() => res.resume(), UPSTREAM_TIMEOUT_MS * 4);
          },
        );
        req.on('error', () => resolve('cut'));
        req.end();
      });
      expect(outcome).toBe('cut');
      expect((await closed).finished).toBe(false);
    });

    it('aborts the upstream request when the client disconnects in the middle of its body', async () => {
      let closed!: Promise<{ finished: boolean; at: number }>;
      let bodyArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (bodyArrived = resolve));
      upstreams.ingestion.onStream('/webhooks/upload-abort', (req, res) => {
        closed = upstreamClosed(res);
        req.once('data', () => bodyArrived());
      });
      const url = new URL(gateway);
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.write('POST /webhooks/upload-abort HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
      socket.write(randomBytes(64 * 1024));
      await arrived;
      const left = Date.now();
      socket.destroy();
      const { finished, at } = await closed;
      expect(finished).toBe(false);
      expect(at - left).toBeLessThan(UPSTREAM_TIMEOUT_MS);
    });

    it('aborts the upstream request when the client disconnects while waiting for the answer', async () => {
      let closed!: Promise<{ finished: boolean; at: number }>;
      let requestArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
      upstreams.ingestion.onStream('/webhooks/hang', (_req, res) => {
        closed = upstreamClosed(res);
        requestArrived();
      });
      const url = new URL(gateway);
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.write('GET /webhooks/hang HTTP/1.1\r\nHost: x\r\n\r\n');
      await arrived;
      const left = Date.now();
      socket.destroy();
      const { finished, at } = await closed;
      expect(finished).toBe(false);
      // Well before UPSTREAM_TIMEOUT_MS would have closed it.
      expect(at - left).toBeLessThan(UPSTREAM_TIMEOUT_MS / 2);
    });
  });

  describe('readiness', () => {
    it('answers 200 with every service up when every upstream is ready', async () => {
      const res = await send(gateway, '/readyz', asOperator);
      expect(res.status).toBe(200);
      const body = res.json() as {
        status: string;
        services: Record<string, { status: string; httpStatus: number }>;
      };
      expect(body.status).toBe('ok');
      expect(Object.keys(body.services).sort()).toEqual([...UPSTREAM_SERVICES].sort());
      for (const service of UPSTREAM_SERVICES)
        expect(body.services[service]).toMatchObject({ status: 'up', httpStatus: 200 });
    });

    it('stays ready (it can route) and reports degraded, naming the service whose /readyz fails', async () => {
      upstreams.ingestion.readyStatus = 503;
      try {
        const anonymous = await send(gateway, '/readyz');
        expect(anonymous.status).toBe(200);
        // Anonymous callers learn up or down, never what an upstream answered.
        expect(anonymous.json()).toMatchObject({
          status: 'degraded',
          services: { ingestion: { status: 'down' } },
        });
        expect((anonymous.json() as { services: Record<string, unknown> }).services.ingestion).toEqual({
          status: 'down',
        });
        const res = await send(gateway, '/readyz', asOperator);
        expect(res.status).toBe(200);
        const body = res.json() as { status: string; services: Record<string, Record<string, unknown>> };
        expect(body.status).toBe('degraded');
        expect(body.services.ingestion).toMatchObject({
          status: 'down',
          httpStatus: 503,
          details: { service: 'ingestion', status: 'error' },
        });
        expect(body.services.identity).toMatchObject({ status: 'up' });
      } finally {
        upstreams.ingestion.readyStatus = 200;
      }
    });

    it('reports a service down when its /readyz does not answer within READINESS_TIMEOUT_MS', async () => {
      upstreams.enrichment.readyHangs = true;
      try {
        const res = await send(gateway, '/readyz', asOperator);
        expect(res.status).toBe(200);
        const body = res.json() as { services: Record<string, Record<string, unknown>> };
        expect(body.services.enrichment).toEqual({
          status: 'down',
          error: `timed out after ${READINESS_TIMEOUT_MS} ms`,
        });
      } finally {
        upstreams.enrichment.readyHangs = false;
      }
    });

    it('keeps /healthz about the gateway itself', async () => {
      const res = await send(gateway, '/healthz');
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', service: 'gateway' });
    });
  });

  describe('docs', () => {
    it('lists every service’s OpenAPI document and the gateway’s own', async () => {
      const res = await send(gateway, '/docs/services.json');
      expect(res.status).toBe(200);
      const entries = res.json() as { name: string; url: string }[];
      for (const service of UPSTREAM_SERVICES)
        expect(entries).toContainEqual({ name: service, url: `/docs/${service}/openapi.json` });
      expect(entries).toContainEqual({ name: 'gateway', url: '/openapi.json' });
    });

    it.each(UPSTREAM_SERVICES)('serves the %s document fetched from the service', async (service) => {
      const res = await send(gateway, `/docs/${service}/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual(openApiDocument(service));
    });

    it('serves Swagger UI whose selector lists all documents', async () => {
      const page = await send(gateway, '/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const init = (await send(gateway, '/docs/swagger-ui-init.js')).body.toString();
      for (const service of UPSTREAM_SERVICES) expect(init).toContain(`/docs/${service}/openapi.json`);
      const own = await send(gateway, '/openapi.json');
      expect(own.status).toBe(200);
      expect((own.json() as { paths: Record<string, unknown> }).paths).toHaveProperty([
        '/docs/services.json',
      ]);
    });

    it('serves the public contract merged: its own routes and each service’s routed paths only', async () => {
      const res = await send(gateway, '/docs/openapi.json');
      expect(res.status).toBe(200);
      const merged = res.json() as { paths: Record<string, unknown>; servers: unknown[] };
      expect(Object.keys(merged.paths).sort()).toEqual(
        [
          '/docs/services.json',
          '/docs/openapi.json',
          '/docs/{service}/openapi.json',
          ...UPSTREAM_SERVICES.map((service) => `/api/v1/${API_RESOURCES[service][0]}/{id}`),
        ].sort(),
      );
      expect(merged.servers).toHaveLength(1);
    });

    it('answers 404 problem+json for a service it does not know', async () => {
      expectProblem(await send(gateway, '/docs/billing/openapi.json'), 404, 'not_found');
    });
  });

  describe('security headers', () => {
    const expectSecured = (res: ClientResponse) => {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    };

    it('are on proxied answers, on the gateway’s own problems and on its own routes', async () => {
      const proxied = await send(gateway, '/api/v1/leads');
      expect(proxied.status).toBe(200);
      expectSecured(proxied);
      expect(proxied.headers['content-security-policy']).toMatch(/^default-src 'none'/);
      const problem = await send(gateway, '/api/v1/no-such-resource');
      expect(problem.status).toBe(404);
      expectSecured(problem);
      for (const path of ['/healthz', '/openapi.json', '/docs/services.json'])
        expectSecured(await send(gateway, path));
    });

    it('keep /metrics off the public listener: it is served on the metrics port only', async () => {
      expectProblem(await send(gateway, '/metrics'), 404, 'not_found');
      const scraped = await send(metricsUrl, '/metrics');
      expect(scraped.status).toBe(200);
      expect(scraped.body.toString()).toContain('http_request_duration_seconds');
      expect(new URL(metricsUrl).port).not.toBe(new URL(gateway).port);
    });

    it('give /docs a strict policy under which Swagger UI runs no inline script', async () => {
      const page = await send(gateway, '/docs');
      expectSecured(page);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      const html = page.body.toString();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(attributes).toMatch(/\bsrc=/);
        expect(inline.trim()).toBe('');
      }
    });
  });

  describe('with one service down (closed port)', () => {
    beforeAll(async () => {
      await upstreams.analytics.stop();
    });

    it('answers 503 problem+json naming the service, with Retry-After', async () => {
      const res = await send(gateway, '/api/v1/analytics/summary');
      const body = expectProblem(res, 503, 'service_unavailable');
      expect(body.service).toBe('analytics');
      expect(body.detail).toContain('analytics');
      expect(res.headers['retry-after']).toBe('5');
    });

    it('stays ready while reporting it down in /readyz (details for the operator only), and gauges it', async () => {
      const anonymous = await send(gateway, '/readyz');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.toString()).not.toContain('ECONNREFUSED');
      const res = await send(gateway, '/readyz', asOperator);
      expect(res.status).toBe(200);
      const body = res.json() as { services: Record<string, Record<string, unknown>> };
      expect(body.services.analytics).toEqual({ status: 'down', error: 'ECONNREFUSED' });
      expect(body.services.campaigns).toMatchObject({ status: 'up' });
      const metrics = (await send(metricsUrl, '/metrics')).body.toString();
      expect(metrics).toMatch(/gateway_upstream_ready\{[^}]*service="analytics"[^}]*\} 0/);
      expect(metrics).toMatch(/gateway_upstream_ready\{[^}]*service="campaigns"[^}]*\} 1/);
      // Routing goes on for every other service.
      expect((await send(gateway, '/api/v1/campaigns')).status).toBe(200);
    });

    it('answers 503 problem+json for its OpenAPI document', async () => {
      const body = expectProblem(
        await send(gateway, '/docs/analytics/openapi.json'),
        503,
        'service_unavailable',
      );
      expect(body.service).toBe('analytics');
    });

    it('counts upstream errors by service and kind in /metrics', async () => {
      const metrics = (await send(metricsUrl, '/metrics')).body.toString();
      expect(metrics).toMatch(
        /gateway_upstream_errors_total\{[^}]*service="analytics"[^}]*kind="unavailable"[^}]*\} [1-9]/,
      );
    });
  });
});
