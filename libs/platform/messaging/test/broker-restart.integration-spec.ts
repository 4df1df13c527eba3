import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { ensureBroker, stopBroker } from '@leadflow/tools/kafka';
import { ProbeService } from './probe/probe.service';

const PORT = 19092;
const TOTAL = 3000;

/**
 * Proof 5: the broker is stopped and started again while the relay is publishing. Nothing
 * committed is lost and nothing is applied twice. Runs on its own broker so other suites are
 * undisturbed.
 */
describe('broker restart during publishing', () => {
  let url: string;
  let producer: ProbeService;
  let consumer: ProbeService;

  beforeAll(async () => {
    const { brokers } = await ensureBroker({ port: PORT });
    url = await createTestDatabase('restart');
    const prefix = testTopicPrefix('restart');
    producer = await ProbeService.open({
      url,
      schema: 'restart_producer',
      prefix,
      brokers,
      pollIntervalMs: 100,
    });
    consumer = await ProbeService.open({ url, schema: 'restart_consumer', prefix, brokers });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([producer?.close(), consumer?.close()]);
    await stopBroker({ port: PORT });
    await dropTestDatabase(url);
  }, 120_000);

  it('loses nothing and doubles nothing', async () => {
    producer.startRelay();
    await consumer.consume();

    let committed = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; committed < TOTAL; i += 4) {
        committed++;
        await producer.increment(`agg-${i % 40}`, (i % 13) + 1);
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    await eventually(
      async () => committed,
      (n) => n >= 600,
      { what: 'writes before the restart' },
    );
    await stopBroker({ port: PORT });
    const duringOutage = committed;
    await new Promise((r) => setTimeout(r, 2000));
    await ensureBroker({ port: PORT });
    await Promise.all(writers);
    expect(committed).toBeGreaterThan(duringOutage);

    const stats = await eventually(
      async () => ({
        ...(await consumer.stats()),
        committed: (await producer.stats()).committed,
        committedSum: (await producer.stats()).committedSum,
      }),
      (s) => s.applied >= TOTAL,
      { timeoutMs: 180_000, what: `${TOTAL} applied events` },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const after = await consumer.stats();
    expect(stats.committed).toBe(TOTAL);
    expect(after.applied).toBe(TOTAL);
    expect(after.distinct).toBe(TOTAL);
    expect(after.appliedSum).toBe(stats.committedSum);
    expect(after.outOfOrder).toBe(0);
    const [outbox] = await producer.dataSource.query(
      `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent FROM restart_producer.outbox`,
    );
    expect(outbox.unsent).toBe(0);
  });
});
