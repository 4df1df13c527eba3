import { defineEvent } from '@leadflow/contracts';
import { MetricsService } from '@leadflow/platform/observability';
import { openServiceDataSource } from '@leadflow/platform/persistence';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import { ensureBroker, stopBroker } from '@leadflow/tools/kafka';
import { Logger } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  DeadLetterService,
  OUTBOX_RELAY_CONSUMER,
  OutboxRelay,
  OutboxWriter,
  TopicNamer,
  createKafka,
  ensureTopics,
  messagingTablesMigration,
  partitionCounts,
} from '../src';

const PORT = 14600;
const CONTROLLER_PORT = 14601;
const BROKER_MAX_BYTES = 200_000;
const SCHEMA = 'large_events';
const AGGREGATES = 6;
const PER_AGGREGATE = 20;
const SMALL_BYTES = 12_000;
const LARGE_BYTES = 300_000;
/** (aggregate, position) of the 300 KB events among the small ones. */
const LARGE_AT = [
  [0, 3],
  [1, 10],
  [4, 19],
] as const;

class NotePayload {
  @IsInt()
  @Min(0)
  position!: number;

  /** Random base64: GZIP shrinks it to ~3/4 only, so a 300 KB event stays above the broker limit. */
  @IsString()
  padding!: string;
}

const Noted = defineEvent({ type: 'test.noted', version: 1, topic: 'test.notes.v1', payload: NotePayload });

const padding = (bytes: number): string => randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64');

/**
 * The broker refuses what is too large for it (message.max.bytes 200000): a backlog of ~12 KB
 * events (1.4 MB) and a few 300 KB events (the writer's cap raised above the broker's limit, as a
 * misconfigured deployment would have it). Every small event is published exactly once, in order
 * per aggregate, each 300 KB event is dead-lettered with the broker's reason, and none of them
 * stops the rest. Runs on its own broker so the limit touches no other suite.
 */
describe('outbox relay and events the broker refuses', () => {
  let url: string;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let admin: Admin;
  let consumer: Consumer | undefined;
  let relay: OutboxRelay | undefined;
  let topic: string;
  const topics = new TopicNamer(testTopicPrefix('large'));

  beforeAll(async () => {
    const { brokers } = await ensureBroker({
      port: PORT,
      controllerPort: CONTROLLER_PORT,
      serverProperties: { 'message.max.bytes': BROKER_MAX_BYTES },
    });
    url = await createTestDatabase('large');
    dataSource = await openServiceDataSource({
      url,
      schema: SCHEMA,
      migrations: [messagingTablesMigration(SCHEMA)],
      poolSize: 5,
    });
    kafka = createKafka({ brokers, clientId: SCHEMA });
    admin = kafka.admin();
    await admin.connect();
    topic = topics.physical(Noted.topic);
    await ensureTopics(admin, [topic], { partitions: 3, replicationFactor: 1 });
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  }, 180_000);

  afterAll(async () => {
    await relay?.stop();
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await dataSource?.destroy();
    await stopBroker({ port: PORT });
    if (url) await dropTestDatabase(url);
  }, 120_000);

  it('publishes every small event once and in order, and dead-letters each refused one', async () => {
    const writer = new OutboxWriter(SCHEMA, SCHEMA, topics, 1024 * 1024);
    const large = new Set(LARGE_AT.map(([a, p]) => `${a}:${p}`));
    const expected = new Map<string, number[]>();
    const largeIds: string[] = [];
    // Interleaved: each transaction writes the next position of every aggregate.
    for (let position = 0; position < PER_AGGREGATE; position++) {
      const events = Array.from({ length: AGGREGATES }, (_, a) => ({
        contract: Noted,
        aggregateId: `agg-${a}`,
        organizationId: '0190f0a4-1111-7000-8000-0000000000c1',
        payload: { position, padding: padding(large.has(`${a}:${position}`) ? LARGE_BYTES : SMALL_BYTES) },
      }));
      const envelopes = await dataSource.transaction((tx) => writer.add(tx, events));
      envelopes.forEach((envelope, a) => {
        if (large.has(`${a}:${position}`)) largeIds.push(envelope.id);
        else expected.set(`agg-${a}`, [...(expected.get(`agg-${a}`) ?? []), position]);
      });
    }
    const smallCount = AGGREGATES * PER_AGGREGATE - LARGE_AT.length;

    const metrics = new MetricsService();
    relay = new OutboxRelay(
      dataSource,
      producer,
      {
        schema: SCHEMA,
        databaseUrl: url,
        batchSize: 500,
        pollIntervalMs: 100,
        retentionHours: 24,
        // The default byte cap (512 KiB), above this broker's limit: a send mixes partitions, some
        // taken and one refused, and a partition's batch of small events can be refused too.
        partitionCounts: partitionCounts(kafka),
      },
      new Logger('large-events-relay'),
      metrics,
    );
    relay.start();

    await eventually(
      async () =>
        (
          (await dataSource.query(
            `SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE sent_at IS NULL`,
          )) as {
            n: number;
          }[]
        )[0].n,
      (unsent) => unsent === 0,
      { timeoutMs: 120_000, what: 'the outbox to be drained' },
    );

    // Exactly once: the topic holds as many messages as there are small events.
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(smallCount);

    // In order per aggregate, none missing: read the raw topic.
    const seen = new Map<string, number[]>();
    let received = 0;
    consumer = kafka.consumer({ groupId: `${topics.prefix}reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const envelope = JSON.parse(message.value!.toString('utf8')) as {
          aggregateId: string;
          payload: { position: number };
        };
        expect(message.key?.toString()).toBe(envelope.aggregateId);
        seen.set(envelope.aggregateId, [
          ...(seen.get(envelope.aggregateId) ?? []),
          envelope.payload.position,
        ]);
        received++;
        return Promise.resolve();
      },
    });
    await eventually(
      () => Promise.resolve(received),
      (n) => n >= smallCount,
      { timeoutMs: 60_000, what: `${smallCount} messages read back` },
    );
    expect(received).toBe(smallCount);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));

    // Each refused event is a dead letter with the broker's reason, readable and replayable.
    const deadLetters = new DeadLetterService(dataSource, writer, topics, SCHEMA, SCHEMA);
    const page = await deadLetters.list({ limit: 50, consumer: OUTBOX_RELAY_CONSUMER });
    expect(page.items.map((d) => d.eventId).sort()).toEqual([...largeIds].sort());
    for (const letter of page.items) {
      expect(letter).toMatchObject({
        originalTopic: topic,
        errorKind: 'MESSAGE_TOO_LARGE',
        eventType: 'test.noted',
      });
      expect(letter.error).toMatch(/MESSAGE_TOO_LARGE/);
      expect(letter.value!.length).toBeGreaterThan(LARGE_BYTES);
    }
    const counter = (await metrics.registry.getSingleMetric('outbox_dead_lettered_total')!.get()).values;
    expect(counter.reduce((sum, v) => sum + v.value, 0)).toBe(LARGE_AT.length);
  }, 240_000);
});
