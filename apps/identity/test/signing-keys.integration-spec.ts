import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  startProcess,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import type { JWK } from 'jose';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

const MAIN = resolve(__dirname, '../../../dist/apps/identity/src/main.js');
const PORTS = [14_111, 14_112, 14_113];

/**
 * Replicas of identity started at the same moment on an empty database: the first signing key is
 * generated under a lock, so exactly one exists and every replica signs and publishes with it.
 */
describe('identity replicas starting together (built processes, real PostgreSQL and Kafka)', () => {
  let url: string;
  const runs: StartedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (node tools/dev/build.mjs)`);
    url = await createTestDatabase('identity_keys');
    const prefix = testTopicPrefix('identity-keys');
    for (const port of PORTS) {
      runs.push(
        startProcess(MAIN, [], {
          env: {
            DATABASE_URL: url,
            KAFKA_BROKERS: testBrokers(),
            KAFKA_TOPIC_PREFIX: prefix,
            IDENTITY_PORT: String(port),
            LOG_LEVEL: 'warn',
            NODE_ENV: 'test',
          },
        }),
      );
    }
  }, 30_000);

  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await Promise.all(runs.map((run) => run.exited));
    if (url) await dropTestDatabase(url);
  });

  it('generates exactly one first signing key, which every replica publishes', async () => {
    for (const [i, port] of PORTS.entries()) {
      const run = runs[i];
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status,
        (status) => status === 200 || run.child.exitCode !== null,
        { timeoutMs: 90_000, what: `identity replica ${i + 1} to be ready` },
      );
      if (run.child.exitCode !== null) throw new Error(`replica ${i + 1} exited:\n${run.output()}`);
    }
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const keys = await db.query<{ kid: string; retired_at: Date | null }>(
        'SELECT kid, retired_at FROM identity.signing_keys',
      );
      expect(keys.rows).toHaveLength(1);
      expect(keys.rows[0].retired_at).toBeNull();
      for (const port of PORTS) {
        const jwks = (await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json()) as {
          keys: JWK[];
        };
        expect(jwks.keys.map((k) => k.kid)).toEqual([keys.rows[0].kid]);
      }
    } finally {
      await db.end();
    }
  }, 120_000);
});
