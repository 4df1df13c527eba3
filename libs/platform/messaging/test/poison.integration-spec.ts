import { DomainError } from '@leadflow/platform/errors';
import { InvalidCursorError } from '@leadflow/platform/persistence';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  factories,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { ProbeIncremented } from './probe/probe.contract';
import { probeEnvelope } from './probe/probe-envelope';
import { ProbeService } from './probe/probe.service';

const envelope = (id: string, payload: Record<string, unknown>): string =>
  probeEnvelope(id, 'poison', payload);

/**
 * Proof 4: messages that cannot be applied go to the DLQ with their error while the partition
 * keeps flowing; after the fix, replaying from the DLQ applies the message exactly once.
 */
describe('poison messages and the DLQ', () => {
  let url: string;
  let probe: ProbeService;

  beforeAll(async () => {
    url = await createTestDatabase('poison');
    probe = await ProbeService.open({
      url,
      schema: 'poison',
      prefix: testTopicPrefix('poison'),
      brokers: testBrokers(),
      maxAttempts: 3,
    });
  });

  afterAll(async () => {
    await probe?.close();
    await dropTestDatabase(url);
  });

  it('dead-letters invalid and failing messages, keeps the partition flowing, and replays once after a fix', async () => {
    const bugged = probe.applier(async (event) => {
      if (event.payload.amount === 666)
        throw new DomainError('validation', 'amount_refused', 'amount 666 is refused by a bug');
      if (event.payload.amount === 777) throw new Error('downstream keeps failing');
    });
    await probe.consume(bugged, { recordDeadLetters: true });

    const rejectedId = factories.id();
    const failingId = factories.id();
    const goodId = factories.id();
    const topic = probe.topics.physical(ProbeIncremented.topic);
    await probe.producer.send({
      topic,
      messages: [
        { key: 'poison', value: 'not json at all' },
        { key: 'poison', value: envelope(factories.id(), { version: 0, amount: 1 }) },
        { key: 'poison', value: envelope(rejectedId, { version: 1, amount: 666 }) },
        { key: 'poison', value: envelope(failingId, { version: 2, amount: 777 }) },
        { key: 'poison', value: envelope(goodId, { version: 3, amount: 5 }) },
      ],
    });

    // The partition keeps flowing: the good message behind four bad ones is applied.
    await eventually(
      () => probe.dataSource.query(`SELECT event_id FROM poison.applied`),
      (rows: { event_id: string }[]) => rows.some((r) => r.event_id === goodId),
      { what: 'the good message to be applied' },
    );
    const letters = await eventually(
      () => probe.deadLetters.list({ limit: 50 }),
      (page) => page.items.length >= 4,
      { what: 'four dead letters recorded' },
    );
    const byKind = letters.items.map((l) => ({
      kind: l.errorKind,
      error: l.error,
      attempts: l.attempts,
      eventId: l.eventId,
    }));
    expect(byKind).toEqual([
      { kind: 'invalid', error: expect.stringContaining('message is not JSON'), attempts: 1, eventId: null },
      {
        kind: 'invalid',
        error: expect.stringContaining('invalid payload: version: version must not be less than 1'),
        attempts: 1,
        eventId: expect.any(String),
      },
      { kind: 'rejected', error: 'amount 666 is refused by a bug', attempts: 1, eventId: rejectedId },
      { kind: 'failed', error: 'downstream keeps failing', attempts: 3, eventId: failingId },
    ]);
    expect(letters.items.every((l) => l.originalTopic === topic && l.key === 'poison')).toBe(true);
    // Paged one at a time: the same letters in the same order (keyset on failed_at, id).
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await probe.deadLetters.list({ limit: 1, ...(cursor !== undefined ? { cursor } : {}) });
      walked.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && walked.length <= letters.items.length);
    expect(walked).toEqual(letters.items.map((l) => l.id));
    await expect(probe.deadLetters.list({ limit: 1, cursor: 'not-a-cursor' })).rejects.toThrow(
      InvalidCursorError,
    );
    expect(await probe.dataSource.query(`SELECT event_id FROM poison.applied`)).toEqual([
      { event_id: goodId },
    ]);

    // Deploy the fix: a new consumer without the bug, same consumer group.
    await probe.stopConsuming();
    await probe.consume();
    probe.startRelay();

    const rejected = letters.items[2];
    const replayed = await probe.deadLetters.replay(rejected.id);
    expect(replayed.replayCount).toBe(1);
    await probe.deadLetters.replay(rejected.id); // a second replay must not apply it again
    await eventually(
      () => probe.dataSource.query(`SELECT event_id FROM poison.applied WHERE event_id = $1`, [rejectedId]),
      (rows: unknown[]) => rows.length >= 1,
      { what: 'the replayed message to be applied' },
    );
    await eventually(
      () => probe.dataSource.query(`SELECT count(*)::int AS n FROM poison.outbox WHERE sent_at IS NOT NULL`),
      (rows: { n: number }[]) => rows[0].n === 2,
      { what: 'both replays to be published' },
    );
    await new Promise((r) => setTimeout(r, 1500));
    const applied = await probe.dataSource.query(
      `SELECT event_id, amount FROM poison.applied ORDER BY amount`,
    );
    expect(applied).toEqual([
      { event_id: goodId, amount: 5 },
      { event_id: rejectedId, amount: 666 },
    ]);
    expect((await probe.deadLetters.get(rejected.id)).replayCount).toBe(2);
  });
});
