import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { OutboxRelay } from '../src';
import { ProbeIncremented } from './probe/probe.contract';
import { ProbeService } from './probe/probe.service';

/**
 * Proofs 1 and 2 against the real broker and PostgreSQL: a committed change publishes its event
 * at least once (read on the raw topic) and is applied once (the inbox absorbs a re-sent copy), a
 * rolled-back one publishes nothing; and with 20 concurrent writers on 50
 * aggregates every consumer group sees each aggregate's events in commit order. (Those writers
 * update one counter row per aggregate, whose row lock orders them too; the insert-only test is
 * the one that fails without OutboxWriter's advisory lock.)
 */
describe('transactional outbox', () => {
  let url: string;
  let producer: ProbeService;
  let consumerA: ProbeService;
  let consumerB: ProbeService;

  beforeAll(async () => {
    url = await createTestDatabase('outbox');
    const prefix = testTopicPrefix('outbox');
    const brokers = testBrokers();
    producer = await ProbeService.open({ url, schema: 'producer', prefix, brokers });
    consumerA = await ProbeService.open({ url, schema: 'consumer_a', prefix, brokers });
    consumerB = await ProbeService.open({ url, schema: 'consumer_b', prefix, brokers });
    producer.startRelay();
    await Promise.all([consumerA.consume(), consumerB.consume()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.close(), consumerA?.close(), consumerB?.close()]);
    await dropTestDatabase(url);
  });

  it('publishes each committed change at least once and a rolled-back one never; the inbox applies each once', async () => {
    await producer.increment('solo', 7);
    await expect(producer.increment('solo', 1000, true)).rejects.toThrow('rolled back on purpose');
    // A later commit on the same aggregate (same partition, after the rolled-back attempt).
    await producer.increment('solo', 5);
    const committedIds = (
      (await producer.dataSource.query(
        `SELECT id FROM producer.outbox WHERE message_key = 'solo' ORDER BY seq`,
      )) as { id: string }[]
    ).map((r) => r.id);
    expect(committedIds).toHaveLength(2);
    const solo = async (): Promise<
      { key: string; value: Buffer; envelope: { id: string; payload: object } }[]
    > => {
      await eventually(
        () =>
          producer.dataSource.query(
            `SELECT 1 FROM producer.outbox WHERE message_key = 'solo' AND sent_at IS NULL`,
          ),
        (rows: unknown[]) => rows.length === 0,
        { what: 'the outbox to be sent' },
      );
      return (await producer.rawMessages()).filter((m) => m.key === 'solo');
    };

    // The raw topic: each committed envelope id, in commit order; nothing of the rolled-back one.
    const published = await solo();
    expect(published.map((m) => m.envelope.id)).toEqual(committedIds);
    expect(published.map((m) => m.envelope.payload)).toEqual([
      { version: 1, amount: 7 },
      { version: 2, amount: 5 },
    ]);

    // Publishing is at least once: a relay retry after an unknown outcome (a broker killed
    // mid-send) sends the same envelopes again. Do exactly that.
    await producer.producer.send({
      topic: producer.topics.physical(ProbeIncremented.topic),
      acks: -1,
      messages: published.map((m) => ({ key: m.key, value: m.value })),
    });
    const onTopic = (await solo()).map((m) => m.envelope.id);
    expect(onTopic).toEqual([...committedIds, ...committedIds]);

    // Each consumer group has read past the copies, and applied each event once.
    for (const consumer of [consumerA, consumerB]) {
      const schema = consumer.options.schema;
      await eventually(() => consumer.caughtUp(), Boolean, { what: `${schema} to read past the copies` });
      const applied = await consumer.dataSource.query(
        `SELECT event_id, version, amount FROM ${schema}.applied WHERE aggregate_id = 'solo' ORDER BY arrival`,
      );
      expect(applied).toEqual([
        { event_id: committedIds[0], version: 1, amount: 7 },
        { event_id: committedIds[1], version: 2, amount: 5 },
      ]);
    }
    const [outbox] = await producer.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent FROM producer.outbox WHERE message_key = 'solo'`,
    );
    expect(outbox).toEqual({ total: 2, unsent: 0 });
  });

  it('keeps every aggregate in commit order for every consumer under 20 concurrent writers', async () => {
    const perWriter = 60;
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await producer.increment(`order-${(w * 7 + i * 13) % 50}`, 1);
      }),
    );
    const [{ committed }] = await producer.dataSource.query(
      `SELECT sum(version)::int AS committed FROM producer.counters WHERE aggregate_id LIKE 'order-%'`,
    );
    expect(committed).toBe(20 * perWriter);

    for (const consumer of [consumerA, consumerB]) {
      const schema = consumer.options.schema;
      const applied = await eventually(
        async () =>
          Number(
            (
              await consumer.dataSource.query(
                `SELECT count(*)::int AS n FROM ${schema}.applied WHERE aggregate_id LIKE 'order-%'`,
              )
            )[0].n,
          ),
        (n) => n >= committed,
        { timeoutMs: 60_000, what: `${schema} to apply ${committed} events` },
      );
      expect(applied).toBe(committed);
      const seen = await consumer.dataSource.query(
        `SELECT s.aggregate_id, s.last_version, s.out_of_order, c.version
           FROM ${schema}.seen s JOIN producer.counters c USING (aggregate_id) WHERE aggregate_id LIKE 'order-%'`,
      );
      expect(seen).toHaveLength(50);
      for (const row of seen) {
        expect({ aggregate: row.aggregate_id, outOfOrder: row.out_of_order, last: row.last_version }).toEqual(
          {
            aggregate: row.aggregate_id,
            outOfOrder: 0,
            last: row.version,
          },
        );
      }
    }
  });
  it('publishes insert-only events of one aggregate from concurrent writers in their commit order', async () => {
    // Insert-only: the writers share no row, so nothing but OutboxWriter's lock orders them. Each
    // round: writer 0 adds its event, then the others try to; whoever has added is committed,
    // the latest first, once everyone else has added too or is waiting for the aggregate's lock.
    // Without the lock all add at once and commit in reverse, and the relay (started afterwards)
    // would publish them in outbox order, the reverse of the commit order.
    const writer = await ProbeService.open({
      url,
      schema: 'producer_io',
      prefix: producer.options.prefix,
      brokers: testBrokers(),
    });
    const waitingForLocks = async (): Promise<number> =>
      (
        await writer.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      )[0].n;
    const commitOrder = new Map<string, string[]>();
    const runners: QueryRunner[] = [];
    try {
      for (const aggregate of ['insert-only-1', 'insert-only-2', 'insert-only-3']) {
        const writers = await Promise.all(
          Array.from({ length: 5 }, async (_, i) => {
            const runner = writer.dataSource.createQueryRunner();
            runners.push(runner);
            await runner.connect();
            await runner.startTransaction();
            return {
              i,
              runner,
              eventId: undefined as string | undefined,
              added: undefined as Promise<void> | undefined,
            };
          }),
        );
        const add = (w: (typeof writers)[number]): Promise<void> =>
          writer.outbox
            .add(w.runner.manager, [
              {
                contract: ProbeIncremented,
                aggregateId: aggregate,
                organizationId: '00000000-0000-7000-8000-000000000001',
                payload: { version: w.i + 1, amount: 1 },
              },
            ])
            .then(([envelope]) => {
              w.eventId = envelope.id;
            });
        await add(writers[0]);
        for (const w of writers.slice(1)) w.added = add(w);
        const committed: string[] = [];
        let pending = writers;
        while (pending.length > 0) {
          const ready = await eventually(
            async () => ({
              added: pending.filter((w) => w.eventId !== undefined),
              waiting: await waitingForLocks(),
            }),
            (v) => v.added.length > 0 && v.added.length + v.waiting === pending.length,
            { what: 'every writer to have added its event or to wait for the lock' },
          );
          for (const w of [...ready.added].reverse()) {
            await w.runner.commitTransaction();
            await w.runner.release();
            committed.push(w.eventId as string);
          }
          pending = pending.filter((w) => !ready.added.includes(w));
        }
        await Promise.all(writers.map((w) => w.added));
        commitOrder.set(aggregate, committed);
      }
      writer.startRelay();
      for (const consumer of [consumerA, consumerB]) {
        const schema = consumer.options.schema;
        for (const [aggregate, committed] of commitOrder) {
          const arrived = await eventually(
            async () =>
              (
                (await consumer.dataSource.query(
                  `SELECT event_id FROM ${schema}.applied WHERE aggregate_id = $1 ORDER BY arrival`,
                  [aggregate],
                )) as { event_id: string }[]
              ).map((r) => r.event_id),
            (ids) => ids.length >= committed.length,
            { what: `${schema} to apply the events of ${aggregate}` },
          );
          expect({ aggregate, arrived }).toEqual({ aggregate, arrived: committed });
        }
      }
    } finally {
      for (const runner of runners.filter((r) => !r.isReleased)) {
        await runner.rollbackTransaction().catch(() => undefined);
        await runner.release();
      }
      await writer.close();
    }
  });

  it('lets one relay publish at a time and fails over when the leader loses its lease', async () => {
    const first = producer.relay;
    expect(first.isLeader).toBe(true);
    const second = new OutboxRelay(
      producer.dataSource,
      producer.producer,
      { schema: 'producer', databaseUrl: url, batchSize: 500, pollIntervalMs: 100, retentionHours: 24 },
      new Logger('standby-relay'),
    );
    const relays = [first, second];
    const leaders = (): OutboxRelay[] => relays.filter((r) => r.isLeader);
    const leaseHolder = async (): Promise<number[]> =>
      (
        (await producer.dataSource.query(
          `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
              AND a.application_name = 'producer-relay'`,
        )) as { pid: number }[]
      ).map((r) => r.pid);
    const published = async (aggregate: string): Promise<void> => {
      await producer.increment(aggregate, 3);
      await eventually(
        () =>
          consumerA.dataSource.query(`SELECT 1 FROM consumer_a.applied WHERE aggregate_id = $1`, [aggregate]),
        (rows: unknown[]) => rows.length === 1,
        { what: `the event of ${aggregate} to be published` },
      );
    };
    second.start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(leaders()).toEqual([first]);
      const [killed] = await leaseHolder();
      expect(killed).toEqual(expect.any(Number));

      // The leader's lease connection dies (a crashed replica): one relay, and only one, takes over.
      await producer.dataSource.query('SELECT pg_terminate_backend($1)', [killed]);
      await eventually(
        async () => ({ leaders: leaders().length, holders: await leaseHolder() }),
        (v) => v.leaders === 1 && v.holders.length === 1 && v.holders[0] !== killed,
        { what: 'exactly one relay to hold a new lease' },
      );
      await published('failover-1');

      // The leader stops (a replica shut down): the other one takes over.
      const [leader] = leaders();
      const other = relays.find((r) => r !== leader) as OutboxRelay;
      await leader.stop();
      await eventually(async () => other.isLeader, Boolean, { what: 'the other relay to take the lease' });
      expect(leaders()).toEqual([other]);
      await published('failover-2');
    } finally {
      await second.stop();
    }
  });
});
