import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testBrokers,
  testTopicPrefix,
  startProcess,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

const MAIN = resolve(__dirname, '../../../../dist/apps/analytics/src/main.js');
const PORT = 14_007;
const BASE = `http://127.0.0.1:${PORT}`;
/** The metrics listener: the service's port + 1000 by default (METRICS_PORT unset). */
const METRICS = `http://127.0.0.1:${PORT + 1000}`;
const OPERATOR = 'operator-token-for-this-test';

function startService(env: NodeJS.ProcessEnv, args: string[] = []): StartedProcess {
  return startProcess(MAIN, args, { env });
}

/**
 * What every service has from day one, checked on a real, built service process (analytics)
 * against the real database and broker.
 */
describe('a LeadFlow service process', () => {
  let url: string;
  let run: StartedProcess;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
    url = await createTestDatabase('service');
    run = startService({
      DATABASE_URL: url,
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: testTopicPrefix('service'),
      ANALYTICS_PORT: String(PORT),
      LOG_LEVEL: 'info',
      OPERATOR_TOKEN: OPERATOR,
    });
    await eventually(
      async () => (await fetch(`${BASE}/healthz`).catch(() => undefined))?.status,
      (status) => status === 200 || run.child.exitCode !== null,
      { timeoutMs: 60_000, what: 'the service to listen' },
    );
    if (run.child.exitCode !== null) throw new Error(`service exited:\n${run.output()}`);
  }, 90_000);

  afterAll(async () => {
    if (run?.child.exitCode === null) run.child.kill('SIGKILL');
    if (url) await dropTestDatabase(url);
  });

  it('is ready only with its schema migrated, and says so per check', async () => {
    const res = await eventually(
      () => fetch(`${BASE}/readyz`),
      (r) => r.status === 200,
      { what: 'readiness' },
    );
    const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['database', 'kafka', 'migrations']);
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const tables = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'analytics' ORDER BY 1`,
      );
      expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toEqual([
        'dead_letters',
        'inbox',
        'outbox',
        'schema_migrations',
      ]);
    } finally {
      await db.end();
    }
  });

  it('answers errors as problem+json: unknown route 404, malformed body 400, too large 413', async () => {
    const notFound = await fetch(`${BASE}/api/v1/nothing-here`, { headers: { 'X-Request-Id': 'req-abc' } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('application/problem+json');
    expect(notFound.headers.get('x-request-id')).toBe('req-abc');
    expect(await notFound.json()).toMatchObject({
      status: 404,
      code: 'not_found',
      requestId: 'req-abc',
      instance: '/api/v1/nothing-here',
    });

    const malformed = await fetch(`${BASE}/admin/dlq`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ status: 400, code: 'malformed_body' });

    const tooLarge = await fetch(`${BASE}/admin/dlq`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ status: 413, code: 'payload_too_large' });

    const noOperator = await fetch(`${BASE}/admin/dlq`);
    expect(noOperator.status).toBe(401);
    expect(await noOperator.json()).toMatchObject({ code: 'invalid_operator_token' });

    const badQuery = await fetch(`${BASE}/admin/dlq?limit=5000`, {
      headers: { 'X-Operator-Token': OPERATOR },
    });
    expect(badQuery.status).toBe(422);
    expect(await badQuery.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'limit', rule: 'max', message: expect.any(String) }],
    });
  });

  it('sends the security headers on its own answers, and a strict policy of its own on /docs', async () => {
    const expectSecured = (res: Response, what: string): void => {
      expect([
        what,
        res.headers.get('x-content-type-options'),
        res.headers.get('x-frame-options'),
        res.headers.get('referrer-policy'),
      ]).toEqual([what, 'nosniff', 'DENY', 'no-referrer']);
      expect([what, res.headers.get('content-security-policy')]).toEqual([
        what,
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
    };
    // JSON, problem+json (404 and 401) and the OpenAPI document: a policy that loads nothing.
    for (const [path, headers] of [
      ['/healthz', {}],
      ['/openapi.json', {}],
      ['/api/v1/nothing-here', {}],
      ['/admin/dlq', {}],
      ['/admin/dlq', { 'X-Operator-Token': OPERATOR }],
    ] as const) {
      const res = await fetch(`${BASE}${path}`, { headers });
      expectSecured(res, path);
      expect([path, res.headers.get('content-security-policy')]).toEqual([
        path,
        expect.stringMatching(/^default-src 'none'; frame-ancestors 'none'/),
      ]);
    }
    // Swagger UI: its own scripts and styles only, no inline script, never framed.
    for (const path of ['/docs', '/docs/', '/docs/swagger-ui-init.js']) {
      const res = await fetch(`${BASE}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expectSecured(res, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).toMatch(/(^|; )style-src 'self' 'unsafe-inline'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).toMatch(/(^|; )default-src 'none'(;|$)/);
    }
    const html = await (await fetch(`${BASE}/docs/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(inline.trim()).toBe('');
    }
  });

  it('exposes Prometheus metrics for HTTP, the outbox, consumers and the DLQ on its own listener only', async () => {
    expect((await fetch(`${BASE}/metrics`)).status).toBe(404);
    expect((await fetch(`${METRICS}/`)).status).toBe(404);
    const scraped = await fetch(`${METRICS}/metrics`);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    for (const metric of [
      'http_request_duration_seconds_bucket',
      'outbox_backlog',
      'outbox_oldest_unsent_age_seconds',
      'kafka_consumer_lag',
      'kafka_dlq_messages_total',
    ]) {
      expect({ metric, present: text.includes(metric) }).toEqual({ metric, present: true });
    }
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/nothing-here"|route="unmatched"/,
    );
  });

  it('writes JSON logs with request ids and without personal data', async () => {
    await fetch(`${BASE}/api/v1/someone@example.com/+15551234567`, {
      headers: { 'X-Request-Id': 'req-pii' },
    });
    await new Promise((r) => setTimeout(r, 300));
    const lines = run
      .output()
      .split('\n')
      .filter((l) => l.includes('req-pii'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(line).not.toContain('someone@example.com');
      expect(line).not.toContain('5551234567');
    }
  });

  it('shuts down gracefully on SIGTERM within the timeout', async () => {
    run.signal('SIGTERM');
    const { code, msAfterSignal: ms } = await run.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(run.output()).toContain('shutdown complete');
  });

  it('refuses to start with a bad setting, naming it', async () => {
    const bad = startService({ DATABASE_URL: url, ANALYTICS_PORT: 'seventy', KAFKA_BROKERS: 'nohost' });
    const { code } = await bad.exited;
    expect(code).toBe(1);
    expect(bad.output()).toContain('ANALYTICS_PORT');
    expect(bad.output()).toContain('KAFKA_BROKERS must be host:port');
  });

  it('explains how to start PostgreSQL when it is not reachable', async () => {
    const down = startService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/leadflow' }, ['migrate']);
    const { code } = await down.exited;
    expect(code).toBe(1);
    expect(down.output()).toContain(
      'PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/leadflow',
    );
    expect(down.output()).toContain('Start it');
  });
});
