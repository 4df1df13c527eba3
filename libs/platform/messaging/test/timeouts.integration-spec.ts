import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  factories,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { Client } from 'pg';
import { ProbeIncremented } from './probe/probe.contract';
import { probeEnvelope } from './probe/probe-envelope';
import { ProbeService } from './probe/probe.service';

const SCHEMA = 'timeouts';
const MAX_ATTEMPTS = 3;

/**
 * A statement or lock timeout is not an outage: unlike a refused or dropped connection (held
 * without limit, database-outage.integration-spec.ts), it counts as an attempt of the message.
 * A handler that runs past a real `statement_timeout` (57014), or waits past a real
 * `lock_timeout` (55P03) on a row another connection holds, is retried `maxAttempts` times and
 * dead-lettered; the later message of the same partition is applied.
 */
describe('statement and lock timeouts in a handler', () => {
  let url: string;
  let probe: ProbeService;
  let holder: Client;
  const calls = new Map<number, number>();

  beforeAll(async () => {
    url = await createTestDatabase('timeouts');
    probe = await ProbeService.open({
      url,
      schema: SCHEMA,
      prefix: testTopicPrefix('timeouts'),
      brokers: testBrokers(),
      maxAttempts: MAX_ATTEMPTS,
    });
    await probe.dataSource.query(`CREATE TABLE ${SCHEMA}.held (id int PRIMARY KEY)`);
    await probe.dataSource.query(`INSERT INTO ${SCHEMA}.held VALUES (1)`);
    holder = new Client({ connectionString: url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await probe?.close();
    await dropTestDatabase(url);
  });

  it('counts them as attempts: dead-lettered after exactly maxAttempts, and the partition flows on', async () => {
    // Another connection holds the row the lock-timeout handler wants, for the whole test.
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM ${SCHEMA}.held WHERE id = 1 FOR UPDATE`);

    await probe.consume(
      probe.applier(async (event, tx) => {
        const { amount } = event.payload;
        calls.set(amount, (calls.get(amount) ?? 0) + 1);
        if (amount === 57014) {
          await tx.query(`SET LOCAL statement_timeout = '50ms'`);
          await tx.query('SELECT pg_sleep(1)');
        }
        if (amount === 55003) {
          await tx.query(`SET LOCAL lock_timeout = '50ms'`);
          await tx.query(`SELECT id FROM ${SCHEMA}.held WHERE id = 1 FOR UPDATE`);
        }
      }),
      { recordDeadLetters: true },
    );

    const slowId = factories.id();
    const lockedId = factories.id();
    const laterId = factories.id();
    const topic = probe.topics.physical(ProbeIncremented.topic);
    await probe.producer.send({
      topic,
      messages: [
        { key: 'timeouts', value: probeEnvelope(slowId, 'timeouts', { version: 1, amount: 57014 }) },
        { key: 'timeouts', value: probeEnvelope(lockedId, 'timeouts', { version: 2, amount: 55003 }) },
        { key: 'timeouts', value: probeEnvelope(laterId, 'timeouts', { version: 3, amount: 5 }) },
      ],
    });

    const applied = await eventually(
      () => probe.dataSource.query(`SELECT event_id FROM ${SCHEMA}.applied`),
      (rows: { event_id: string }[]) => rows.some((r) => r.event_id === laterId),
      { what: 'the later message of the partition to be applied' },
    );
    expect(applied).toEqual([{ event_id: laterId }]);
    const letters = await eventually(
      () => probe.deadLetters.list({ limit: 50 }),
      (page) => page.items.length >= 2,
      { what: 'two dead letters recorded' },
    );
    // attempts is the message's x-dlq-attempts header, as the recorder read it from the DLQ topic.
    expect(
      letters.items.map((l) => ({
        eventId: l.eventId,
        kind: l.errorKind,
        error: l.error,
        attempts: l.attempts,
      })),
    ).toEqual([
      {
        eventId: slowId,
        kind: 'failed',
        error: 'canceling statement due to statement timeout',
        attempts: MAX_ATTEMPTS,
      },
      {
        eventId: lockedId,
        kind: 'failed',
        error: 'canceling statement due to lock timeout',
        attempts: MAX_ATTEMPTS,
      },
    ]);
    expect(letters.items.every((l) => l.originalTopic === topic && l.key === 'timeouts')).toBe(true);
    // Each ran maxAttempts times on its own (plus, at most, once in the batch's shared transaction).
    for (const amount of [57014, 55003]) {
      const ran = calls.get(amount) ?? 0;
      expect([amount, ran === MAX_ATTEMPTS || ran === MAX_ATTEMPTS + 1]).toEqual([amount, true]);
    }
    await holder.query('ROLLBACK');
  });
});
