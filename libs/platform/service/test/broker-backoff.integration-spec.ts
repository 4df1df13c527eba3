import type { StartedProcess, TcpProxy } from '@leadflow/platform/testing';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  startProcess,
  startTcpProxy,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const MAIN = resolve(__dirname, '../../../../dist/apps/analytics/src/main.js');
const PORT = 14_017;
const BASE = `http://127.0.0.1:${PORT}`;
const OPERATOR = 'operator-token-for-the-backoff-test';
/** BROKER_BACKOFF_MS: the pause after each failed attempt, doubling from 250 ms, capped at 10 s. */
const PAUSES_MS = [250, 500, 1000, 2000, 4000, 8000, 10_000];
/** Timers never fire early; this only absorbs the measuring of connections on both ends. */
const SLACK_MS = 25;

interface Readiness {
  status: string;
  details: { kafka: { status: string; state: string } };
}

async function readyz(): Promise<{ code: number; body: Readiness }> {
  const res = await fetch(`${BASE}/readyz`, { headers: { 'X-Operator-Token': OPERATOR } });
  return { code: res.status, body: (await res.json()) as Readiness };
}

/**
 * A service whose Kafka broker does not answer (a TCP proxy in front of the real broker resets
 * every connection) starts and serves, tries the broker again and again with pauses doubling from
 * 250 ms up to 10 s, warns once, and when the broker answers says so once; readiness stays 200
 * throughout (the broker's state is reported, never a reason to be unready).
 */
describe('a service connecting to a broker that does not answer yet', () => {
  let url: string;
  let proxy: TcpProxy;
  let run: StartedProcess;
  const lines = (text: string): string[] =>
    run
      .output()
      .split('\n')
      .filter((l) => l.includes(text));

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
    url = await createTestDatabase('backoff');
    const [host, port] = testBrokers().split(',')[0].split(':');
    proxy = await startTcpProxy({ host, port: Number(port) });
    proxy.cut();
    run = startProcess(MAIN, [], {
      env: {
        DATABASE_URL: url,
        KAFKA_BROKERS: `127.0.0.1:${proxy.port}`,
        KAFKA_TOPIC_PREFIX: testTopicPrefix('backoff'),
        ANALYTICS_PORT: String(PORT),
        LOG_LEVEL: 'info',
        OPERATOR_TOKEN: OPERATOR,
      },
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
    await proxy?.close();
    if (url) await dropTestDatabase(url);
  });

  it('retries with pauses doubling from 250 ms to a 10 s cap, warns once, then says once that it reached the broker', async () => {
    // Eight attempts: the seventh pause is the first one at the cap.
    await eventually(
      async () => proxy.refusedAt.length,
      (n) => n >= PAUSES_MS.length + 1,
      { timeoutMs: 60_000, intervalMs: 250, what: 'eight connection attempts' },
    );
    expect(await readyz()).toMatchObject({
      code: 200,
      body: { status: 'ok', details: { kafka: { status: 'down', state: 'connecting' } } },
    });
    const at = proxy.refusedAt;
    const gaps = at.slice(1, PAUSES_MS.length + 1).map((t, i) => Math.round(t - at[i]));
    // Each pause lasted at least its backoff; the one after 8 s stopped at 10 s (16 s if uncapped).
    gaps.forEach((gap, i) =>
      expect({ attempt: i + 1, longEnough: gap >= PAUSES_MS[i] - SLACK_MS, gap }).toEqual({
        attempt: i + 1,
        longEnough: true,
        gap,
      }),
    );
    expect({ capped: gaps[6] < 16_000 - 1000, gap: gaps[6] }).toEqual({ capped: true, gap: gaps[6] });
    expect(lines('not reachable')).toHaveLength(1);
    expect(lines('not reachable')[0]).toContain('retrying every 250 ms to 10 s');
    // Nothing else tells of the failed connections (kafkajs's own lines included).
    expect(lines('ECONNRESET')).toEqual(lines('not reachable'));

    proxy.restore();
    await eventually(
      async () => (await readyz()).body.details.kafka.status,
      (status) => status === 'up',
      { timeoutMs: 60_000, what: 'the broker to be reached' },
    );
    expect(await readyz()).toMatchObject({
      code: 200,
      body: { status: 'ok', details: { kafka: { status: 'up', state: 'connected' } } },
    });
    await eventually(
      async () => lines('messaging started').length,
      (n) => n === 1,
      { what: 'messaging to start' },
    );
    expect(lines(' reached (was connecting')).toHaveLength(1);
    expect(lines('not reachable')).toHaveLength(1);
  }, 120_000);
});
