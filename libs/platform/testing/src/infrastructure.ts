import { dropDatabase, ensureDatabase } from '@leadflow/platform/persistence';
import type { Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { testEnv } from './test-env';

function runId(): string {
  return testEnv().TEST_RUN_ID || randomBytes(3).toString('hex');
}

/** A fresh, empty database for one test file (on the run's PostgreSQL server). */
export async function createTestDatabase(name: string): Promise<string> {
  const url = new URL(testEnv().DATABASE_URL);
  url.pathname = `/lf_t_${runId()}_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(2).toString('hex')}`;
  const result = url.toString();
  await dropDatabase(result);
  await ensureDatabase(result);
  return result;
}

export { dropDatabase as dropTestDatabase };

/** A topic prefix no other test file or run uses. */
export function testTopicPrefix(name: string): string {
  return `t${runId()}.${name}.${randomBytes(2).toString('hex')}.`;
}

export function testBrokers(): string {
  return testEnv().KAFKA_BROKERS;
}

/** Polls until `probe` returns a value that `accept` takes, or fails with the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  return last;
}

/**
 * A service's readiness as tests wait for it: `/readyz`'s HTTP status, except that 200 counts only
 * once its `kafka` detail is up too (readiness itself never waits for the broker; a test that reads
 * or writes topics right after start-up needs the service's topics created). `kafka: false` takes
 * `/readyz` as it is. `undefined` while nothing answers.
 */
export async function readiness(base: string, { kafka = true } = {}): Promise<number | string | undefined> {
  const res = await fetch(`${base}/readyz`).catch(() => undefined);
  if (res?.status !== 200 || !kafka) return res?.status;
  const body = (await res.json()) as { details?: { kafka?: { status?: string } } };
  return body.details?.kafka?.status === 'down' ? 'kafka not reached yet' : 200;
}

/**
 * Waits until the broker serves every partition of `topics` (each has a leader): kafkajs's
 * `subscribe` gives up at once ("does not host this topic-partition") on a topic a service has
 * only just created.
 */
export async function waitForTopics(kafka: Kafka, topics: string[], timeoutMs = 30_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(
      () => admin.fetchTopicMetadata({ topics }).catch(() => undefined),
      (metadata) =>
        metadata !== undefined &&
        metadata.topics.length === topics.length &&
        metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
      { timeoutMs, what: `${topics.join(', ')} to be served by the broker` },
    );
  } finally {
    await admin.disconnect();
  }
}
