import {
  ApiClient,
  createTestDatabase,
  dropTestDatabase,
  eventually,
  signUp,
  startProcess,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVICES = ['identity', 'ingestion', 'enrichment', 'campaigns', 'voice', 'routing', 'analytics'];
const BASE_PORT = 14_700;
const GATEWAY = `http://127.0.0.1:${BASE_PORT}`;

/** The pids `npm start` logged for a service (`started <service> (pid N)`), oldest first. */
function pidsOf(output: string, service: string): number[] {
  return [...output.matchAll(new RegExp(`started ${service} \\(pid (\\d+)\\)`, 'g'))].map((m) =>
    Number(m[1]),
  );
}

/**
 * `npm start` supervises: a service killed with SIGKILL is restarted while the others keep
 * answering through the gateway, and Ctrl-C stops everything, a pending restart included. Runs on
 * its own ports (14700–14707), database and topic prefix.
 */
describe('platform supervision (npm start)', () => {
  let url: string;
  let platform: StartedProcess;
  let token: string;
  const output = (): string => platform.output();
  const get = (path: string): Promise<number> =>
    fetch(`${GATEWAY}${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
      (res) => res.status,
      () => 0,
    );

  beforeAll(async () => {
    url = await createTestDatabase('e2e-sup');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: testTopicPrefix('e2e-sup'),
      GATEWAY_PORT: String(BASE_PORT),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_KEY_PREFIX: testTopicPrefix('e2e-sup-rl'),
      REDIS_KEY_PREFIX: testTopicPrefix('e2e-sup-rd'),
    };
    SERVICES.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(BASE_PORT + i + 1)));
    platform = startProcess('tools/dev/start.mjs', ['--skip-install', '--skip-build', '--quiet'], {
      cwd: ROOT,
      env,
    });
    await eventually(
      async () => output(),
      (text) => text.includes('all services are ready') || platform.child.exitCode !== null,
      { timeoutMs: 240_000, intervalMs: 500, what: 'the platform to start' },
    );
    if (!output().includes('all services are ready')) throw new Error(`platform did not start:\n${output()}`);
    token = (
      await signUp(new ApiClient(GATEWAY), 'supervision', { email: `supervision-${Date.now()}@example.com` })
    ).accessToken;
  }, 300_000);

  afterAll(async () => {
    // Ctrl-C, never SIGKILL: a killed `npm start` would leave its services running.
    if (platform && platform.child.exitCode === null) {
      platform.signal('SIGINT');
      await platform.exited;
    }
    if (url) await dropTestDatabase(url);
  }, 60_000);

  it('restarts a service killed with SIGKILL while the others keep answering', async () => {
    expect(await get('/api/v1/me')).toBe(200);
    expect(await get('/api/v1/webhooks')).toBe(200);
    const [pid] = pidsOf(output(), 'ingestion');
    expect(pid).toBeGreaterThan(0);

    // identity's route is polled throughout, one request after another.
    const identity: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) identity.push(await get('/api/v1/me'));
    })();

    try {
      process.kill(pid, 'SIGKILL');
      await eventually(
        async () => output(),
        (text) => text.includes('ingestion exited unexpectedly (SIGKILL); restarting it in'),
        { timeoutMs: 10_000, what: 'the supervisor to see ingestion exit' },
      );
      const restarted = await eventually(
        async () => pidsOf(output(), 'ingestion'),
        (pids) => pids.length === 2,
        { timeoutMs: 15_000, what: 'ingestion to be started again' },
      );
      expect(restarted[1]).not.toBe(pid);
      // Back within seconds: its routes answer through the gateway again.
      await eventually(
        () => get('/api/v1/webhooks'),
        (status) => status === 200,
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: "ingestion's routes through the gateway",
        },
      );
    } finally {
      polling = false;
      await poller;
    }

    expect(identity.length).toBeGreaterThan(5);
    expect(identity.filter((status) => status !== 200)).toEqual([]);
    // Nothing else was restarted.
    for (const name of SERVICES.filter((s) => s !== 'ingestion'))
      expect({ name, starts: pidsOf(output(), name).length }).toEqual({ name, starts: 1 });
  });

  it('stops every service on Ctrl-C, a pending restart included', async () => {
    expect(await get('/api/v1/me')).toBe(200);
    // A restart pending when Ctrl-C comes must not happen.
    const [pid] = pidsOf(output(), 'enrichment').slice(-1);
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => output(),
      (text) => text.includes('enrichment exited unexpectedly (SIGKILL); restarting it in'),
      { timeoutMs: 10_000, what: 'the supervisor to see enrichment exit' },
    );
    platform.signal('SIGINT');
    const exit = await platform.exited;
    expect(exit).toMatchObject({ code: 0 });
    const shutdown = output().slice(output().indexOf('stopping services'));
    expect(shutdown).toContain('[leadflow] stopped');
    expect(shutdown).not.toMatch(/started \w+ \(pid|restarting/);
    for (let i = 0; i <= SERVICES.length; i++) {
      await expect(fetch(`http://127.0.0.1:${BASE_PORT + i}/healthz`)).rejects.toThrow();
    }
  });
});

/** `npm start` checks Redis like PostgreSQL: an unreachable REDIS_URL stops it before anything starts. */
describe('npm start without Redis', () => {
  it('stops at once, naming REDIS_URL (its password hidden)', async () => {
    const base = 14_720; // in case it started anyway
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: testBrokers(),
      REDIS_URL: 'redis://user:hunter2@127.0.0.1:14799', // nothing listens there
      GATEWAY_PORT: String(base),
      LOG_LEVEL: 'warn',
    };
    SERVICES.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(base + i + 1)));
    const start = startProcess('tools/dev/start.mjs', ['--skip-install', '--skip-build', '--quiet'], {
      cwd: ROOT,
      env,
    });
    try {
      await eventually(
        async () => start.output(),
        (text) => start.child.exitCode !== null || text.includes('running migrations'),
        { timeoutMs: 60_000, what: 'npm start to stop or go on past its checks' },
      );
      expect(start.output()).not.toContain('running migrations');
      expect((await start.exited).code).toBe(1);
      expect(start.output()).toContain(
        'Redis is not reachable at REDIS_URL=redis://user:***@127.0.0.1:14799',
      );
      expect(start.output()).not.toContain('hunter2');
    } finally {
      if (start.child.exitCode === null) {
        start.signal('SIGINT');
        await start.exited;
      }
    }
  });
});
