import type { TcpProxy } from '@leadflow/platform/testing';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  startTcpProxy,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { ProbeService } from './probe/probe.service';

const TOTAL = 2000;
const BEFORE_OUTAGE = 500;
const AGGREGATES = 20;
const OUTAGE_MS = 20_000;

/**
 * Proof 5: the consumer's PostgreSQL goes away for 20 s (a TCP proxy between its DataSource and
 * the real server resets every connection, and every new one, meanwhile) while a stream of 2,000
 * events is consumed. Nothing is dead-lettered, every event is applied exactly once, and every
 * aggregate's events apply in order.
 */
describe('a database outage under the consumer', () => {
  let url: string;
  let proxy: TcpProxy;
  let producer: ProbeService;
  let consumer: ProbeService;

  beforeAll(async () => {
    url = await createTestDatabase('outage');
    const server = new URL(url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const prefix = testTopicPrefix('outage');
    producer = await ProbeService.open({ url, schema: 'outage_producer', prefix, brokers: testBrokers() });
    consumer = await ProbeService.open({
      url: proxy.via(url),
      schema: 'outage_consumer',
      prefix,
      brokers: testBrokers(),
    });
    producer.startRelay();
    await consumer.consume();
  });

  afterAll(async () => {
    proxy?.restore();
    await Promise.all([producer?.close(), consumer?.close()]);
    await proxy?.close();
    await dropTestDatabase(url);
  });

  /** Commits state changes n = from..to-1 (each with its event), four writers at a time. */
  async function produce(from: number, to: number): Promise<void> {
    let next = from;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < to) {
          const n = next++;
          await producer.increment(`agg-${n % AGGREGATES}`, (n % 97) + 1);
        }
      }),
    );
  }

  /** Read on the producer's direct connection: the consumer's own one may be cut. */
  const applied = async (): Promise<number> =>
    Number((await producer.dataSource.query('SELECT count::int AS n FROM outage_consumer.totals'))[0].n);

  async function deadLettered(): Promise<number> {
    const admin = producer.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(producer.topics.dlq('outage_consumer'));
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('dead-letters nothing, applies each event once and keeps every aggregate in order', async () => {
    await produce(0, BEFORE_OUTAGE);
    await eventually(applied, (n) => n >= BEFORE_OUTAGE / 2, { timeoutMs: 60_000, what: 'consumption' });

    proxy.cut();
    const cutAt = Date.now();
    // The rest of the stream arrives during the outage (the producer's database is up).
    await produce(BEFORE_OUTAGE, TOTAL);
    await eventually(
      async () => proxy.refused,
      (n) => n > 0,
      {
        what: 'the consumer to try its database during the outage',
      },
    );
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + OUTAGE_MS - Date.now())));
    const duringOutage = await applied();
    proxy.restore();

    expect(duringOutage).toBeLessThan(TOTAL);
    // Every event ends applied or dead-lettered (which it must not be).
    await eventually(
      async () => ({ applied: await applied(), deadLettered: await deadLettered() }),
      (v) => v.applied + v.deadLettered >= TOTAL,
      { timeoutMs: 90_000, what: `${TOTAL} events handled` },
    );
    const producerStats = await producer.stats();
    const [consumerStats] = (await producer.dataSource.query(
      `SELECT (SELECT count::int FROM outage_consumer.totals) AS applied,
              (SELECT sum::int FROM outage_consumer.totals) AS "appliedSum",
              (SELECT count(DISTINCT event_id)::int FROM outage_consumer.applied) AS distinct,
              (SELECT COALESCE(sum(out_of_order), 0)::int FROM outage_consumer.seen) AS "outOfOrder"`,
    )) as { applied: number; appliedSum: number; distinct: number; outOfOrder: number }[];
    expect(producerStats.committed).toBe(TOTAL);
    expect({ ...consumerStats, deadLettered: await deadLettered() }).toEqual({
      applied: TOTAL,
      appliedSum: producerStats.committedSum,
      distinct: TOTAL,
      outOfOrder: 0,
      deadLettered: 0,
    });
  });
});
