import type { StartedProcess } from '@leadflow/platform/testing';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  startProcess,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProbeIncremented } from './probe/probe.contract';
import { ProbeService } from './probe/probe.service';

const CLI = resolve(__dirname, '../../../../dist/libs/platform/messaging/test/probe/probe-cli.js');
const TOTAL = 300;

/**
 * Proof 6: a consumer process dies (SIGKILL) right after its handlers' transaction committed and
 * before that batch's offsets were committed. Its successor is handed those events again, and the
 * inbox absorbs them: each event's effect happens once.
 */
describe('a consumer killed between its commit and its offset commit', () => {
  let url: string;
  let producer: ProbeService;
  let consumerView: ProbeService;
  const children: StartedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
    url = await createTestDatabase('redelivery');
    const prefix = testTopicPrefix('redelivery');
    producer = await ProbeService.open({ url, schema: 'rd_producer', prefix, brokers: testBrokers() });
    consumerView = await ProbeService.open({ url, schema: 'rd_consumer', prefix, brokers: testBrokers() });
  });

  afterAll(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.signal('SIGKILL');
    await Promise.all([producer?.close(), consumerView?.close()]);
    await dropTestDatabase(url);
  });

  it('applies the events it is handed again exactly once (the inbox absorbs the repeat)', async () => {
    const consume = (extra: string[] = []): StartedProcess => {
      const c = startProcess(CLI, [
        'consume',
        '--url',
        url,
        '--schema',
        'rd_consumer',
        '--prefix',
        producer.options.prefix,
        '--brokers',
        testBrokers(),
        ...extra,
      ]);
      children.push(c);
      return c;
    };
    producer.startRelay();
    for (let i = 0; i < TOTAL; i++) await producer.increment(`agg-${i % 10}`, (i % 97) + 1);
    await eventually(
      () => producer.dataSource.query(`SELECT 1 FROM rd_producer.outbox WHERE sent_at IS NULL LIMIT 1`),
      (rows: unknown[]) => rows.length === 0,
      { what: 'every event to be published' },
    );

    const dying = consume(['--die-after-applied', '100']);
    const death = await dying.exited;
    expect({ signal: death.signal, output: dying.output() }).toEqual({
      signal: 'SIGKILL',
      output: expect.stringContaining('"dying"'),
    });

    // Events it applied whose offsets it never committed: they will be delivered again.
    const admin = consumerView.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({
      groupId: consumerView.topics.group('rd_consumer', 'applier'),
      topics: [consumerView.topics.physical(ProbeIncremented.topic)],
    });
    await admin.disconnect();
    const committed = offsets.partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) }));
    const [{ uncommitted }] = (await consumerView.dataSource.query(
      `SELECT count(*)::int AS uncommitted FROM rd_consumer.inbox i
         JOIN jsonb_to_recordset($1::jsonb) AS c(partition int, "offset" bigint) ON c.partition = i.kafka_partition
        WHERE i.kafka_offset >= c."offset"`,
      [JSON.stringify(committed)],
    )) as { uncommitted: number }[];
    expect(uncommitted).toBeGreaterThan(0);
    const applied = await consumerView.stats();
    expect(applied.applied).toBeLessThan(TOTAL);

    consume();
    await eventually(
      async () => (await consumerView.stats()).applied,
      (n) => n >= TOTAL,
      {
        timeoutMs: 60_000,
        what: `${TOTAL} applied events`,
      },
    );
    await eventually(() => consumerView.caughtUp(), Boolean, {
      timeoutMs: 60_000,
      what: 'the new consumer to read past the repeated events',
    });
    const producerStats = await producer.stats();
    const consumerStats = await consumerView.stats();
    expect(consumerStats).toEqual({
      committed: 0,
      committedSum: 0,
      applied: TOTAL,
      appliedSum: producerStats.committedSum,
      distinct: TOTAL,
      outOfOrder: 0,
    });
  });
});
