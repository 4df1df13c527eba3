import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testBrokers,
  testTopicPrefix,
  startProcess,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVICES = ['identity', 'ingestion', 'enrichment', 'campaigns', 'voice', 'routing', 'analytics'];
const BASE_PORT = 13_000;
const GATEWAY = `http://127.0.0.1:${BASE_PORT}`;

/**
 * Proof 6: the platform starts as `npm start` starts it (same script), every service is ready
 * through the gateway, /docs lists every service's document, errors are problem+json, and Ctrl-C
 * stops everything cleanly. Runs on its own ports, database and topic prefix.
 */
describe('platform smoke (npm start)', () => {
  let url: string;
  let platform: StartedProcess;

  beforeAll(async () => {
    url = await createTestDatabase('e2e');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: testTopicPrefix('e2e'),
      GATEWAY_PORT: String(BASE_PORT),
      LOG_LEVEL: 'warn',
    };
    SERVICES.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(BASE_PORT + i + 1)));
    platform = startProcess('tools/dev/start.mjs', ['--skip-install', '--skip-build', '--quiet'], {
      cwd: ROOT,
      env,
    });
    const output = (): string => platform.output();
    await eventually(
      async () => output(),
      (text) => text.includes('all services are ready') || platform.child.exitCode !== null,
      { timeoutMs: 240_000, intervalMs: 500, what: 'the platform to start' },
    );
    if (!output().includes('all services are ready')) throw new Error(`platform did not start:\n${output()}`);
  }, 300_000);

  afterAll(async () => {
    if (platform && platform.child.exitCode === null) {
      platform.signal('SIGKILL');
      await platform.exited;
    }
    if (url) await dropTestDatabase(url);
  });

  it('reports every service ready through the gateway', async () => {
    const res = await fetch(`${GATEWAY}/readyz`);
    const body = (await res.json()) as { status: string; services: Record<string, { status: string }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    for (const name of SERVICES)
      expect({ name, status: body.services[name]?.status }).toEqual({ name, status: 'up' });
    const live = await fetch(`${GATEWAY}/healthz`);
    expect(live.status).toBe(200);
  });

  it('lists every service document at /docs', async () => {
    const ui = await fetch(`${GATEWAY}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const list = (await (await fetch(`${GATEWAY}/docs/services.json`)).json()) as {
      name: string;
      url: string;
    }[];
    expect(list.map((s) => s.name)).toEqual(expect.arrayContaining(SERVICES));
    for (const name of SERVICES) {
      const doc = await fetch(`${GATEWAY}/docs/${name}/openapi.json`);
      expect({ name, status: doc.status }).toEqual({ name, status: 200 });
      const json = (await doc.json()) as { openapi: string; info: { title: string } };
      expect(json.openapi).toMatch(/^3\./);
      expect(json.info.title.toLowerCase()).toContain(name);
    }
  });

  it('answers unknown routes with problem+json and echoes the request id', async () => {
    const res = await fetch(`${GATEWAY}/api/v1/no-such-resource`, {
      headers: { 'X-Request-Id': 'smoke-req-1' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('smoke-req-1');
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('stops every service on Ctrl-C', async () => {
    platform.signal('SIGINT');
    const exit = await Promise.race([
      platform.exited,
      new Promise((r) => setTimeout(() => r('timeout'), 60_000)),
    ]);
    expect(exit).toMatchObject({ code: 0 });
    for (let i = 0; i <= SERVICES.length; i++) {
      await expect(fetch(`http://127.0.0.1:${BASE_PORT + i}/healthz`)).rejects.toThrow();
    }
  });
});
