import type { EventEnvelope } from '@leadflow/contracts';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { Inject, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { openServiceDataSource, quoteIdent } from '@leadflow/platform/persistence';
import type { Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { EntityManager } from 'typeorm';
import {
  ConsumerRunner,
  DeadLetterService,
  EventConsumer,
  EventContext,
  EventTransport,
  OutboxRelay,
  OutboxWriter,
  TopicNamer,
  createKafka,
  ensureTopics,
  messagingTablesMigration,
} from '../../src';
import type { ProbeIncrementedPayload } from './probe.contract';
import { ProbeIncremented } from './probe.contract';

/** What the probe's consumer does with an event (the applier, or a test's variant of it). */
export type ProbeEffect = (event: EventEnvelope<ProbeIncrementedPayload>, tx: EntityManager) => Promise<void>;

const PROBE_EFFECT = Symbol('PROBE_EFFECT');

/** The probe's consumer, declared as a service declares one: an `@EventPattern` handler. */
@EventConsumer('applier')
class ProbeApplier {
  constructor(@Inject(PROBE_EFFECT) private readonly effect: ProbeEffect) {}

  @EventPattern(ProbeIncremented)
  async apply(
    @Payload() event: EventEnvelope<ProbeIncrementedPayload>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.effect(event, ctx.tx);
  }
}

@Module({})
class ProbeConsumerModule {
  static with(effect: ProbeEffect): DynamicModule {
    return {
      module: ProbeConsumerModule,
      controllers: [ProbeApplier],
      providers: [{ provide: PROBE_EFFECT, useValue: effect }],
    };
  }
}

export interface ProbeOptions {
  url: string;
  schema: string;
  prefix: string;
  brokers: string;
  /** Relay/consumer tuning for tests. */
  pollIntervalMs?: number;
  maxAttempts?: number;
}

function probeTables(schema: string): new () => MigrationInterface {
  return class ProbeTables1763900000001 implements MigrationInterface {
    name = 'ProbeTables1763900000001';
    async up(runner: QueryRunner): Promise<void> {
      const s = quoteIdent(schema);
      await runner.query(
        `CREATE TABLE ${s}.counters (aggregate_id text PRIMARY KEY, version int NOT NULL, total bigint NOT NULL)`,
      );
      await runner.query(`CREATE TABLE ${s}.seen (
        aggregate_id text PRIMARY KEY, last_version int NOT NULL, out_of_order int NOT NULL DEFAULT 0)`);
      await runner.query(
        `CREATE TABLE ${s}.applied (event_id uuid NOT NULL, aggregate_id text NOT NULL, version int NOT NULL, amount int NOT NULL,
           arrival bigint GENERATED ALWAYS AS IDENTITY)`,
      );
      await runner.query(
        `CREATE TABLE ${s}.totals (id int PRIMARY KEY, count bigint NOT NULL, sum bigint NOT NULL)`,
      );
      await runner.query(`INSERT INTO ${s}.totals VALUES (1, 0, 0)`);
    }
    async down(): Promise<void> {}
  };
}

/**
 * A miniature service built from the messaging lib exactly as the Nest module wires it: a schema
 * with outbox/inbox, a writer, a relay, a consumer runner and the DLQ recorder. The proofs run it
 * in-process and as child processes that get killed.
 */
export class ProbeService {
  readonly topics: TopicNamer;
  readonly outbox: OutboxWriter;
  readonly kafka: Kafka;
  readonly producer: Producer;
  relay!: OutboxRelay;
  consumers!: ConsumerRunner;
  deadLetters!: DeadLetterService;
  private consumerApp?: INestMicroservice;
  private s: string;

  private constructor(
    readonly dataSource: DataSource,
    readonly options: ProbeOptions,
  ) {
    this.s = quoteIdent(options.schema);
    this.topics = new TopicNamer(options.prefix);
    this.outbox = new OutboxWriter(options.schema, options.schema, this.topics);
    this.kafka = createKafka({ brokers: options.brokers, clientId: options.schema });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.newRunner();
  }

  static async open(options: ProbeOptions): Promise<ProbeService> {
    const dataSource = await openServiceDataSource({
      url: options.url,
      schema: options.schema,
      migrations: [messagingTablesMigration(options.schema), probeTables(options.schema)],
      poolSize: 25,
    });
    const probe = new ProbeService(dataSource, options);
    const admin = probe.kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      [probe.topics.physical(ProbeIncremented.topic), probe.topics.dlq(options.schema)],
      {
        partitions: 3,
        replicationFactor: 1,
      },
    );
    await admin.disconnect();
    await probe.producer.connect();
    return probe;
  }

  /**
   * Consumes the probe topic as a service does: the `ProbeApplier` consumer on the platform's
   * transport (`EventTransport` over the runner), applying `effect` (default: the applier), with
   * the DLQ recorder when asked. Consumer groups join before it returns.
   */
  async consume(
    effect: ProbeEffect = this.applier(),
    options: { recordDeadLetters?: boolean } = {},
  ): Promise<void> {
    await this.consumeWith(ProbeConsumerModule.with(effect), options);
  }

  /** Consumes with the `@EventConsumer` classes of `module` on the platform's transport. */
  async consumeWith(module: DynamicModule, options: { recordDeadLetters?: boolean } = {}): Promise<void> {
    const app = await NestFactory.createMicroservice(module, {
      strategy: new EventTransport(this.consumers),
      logger: ['error', 'warn'],
    });
    try {
      await app.listen();
    } catch (error) {
      await app.close(); // stops the runner too: the next try gets a fresh one
      this.newRunner();
      throw error;
    }
    this.consumerApp = app;
    if (options.recordDeadLetters) this.deadLetters.registerRecorder(this.consumers);
    await this.consumers.start();
  }

  /** Stops consuming, as a deployment going away; `consume` then starts a new one (same groups). */
  async stopConsuming(): Promise<void> {
    await this.consumerApp?.close();
    this.consumerApp = undefined;
    this.newRunner();
  }

  /** A fresh runner (the previous one must be stopped): a restarted or "fixed" deployment. */
  private newRunner(): ConsumerRunner {
    this.consumers = new ConsumerRunner(
      this.kafka,
      this.dataSource,
      this.producer,
      this.topics,
      {
        service: this.options.schema,
        schema: this.options.schema,
        maxAttempts: this.options.maxAttempts ?? 3,
        retryBaseMs: 20,
      },
      new Logger('probe-consumers'),
    );
    this.deadLetters = new DeadLetterService(
      this.dataSource,
      this.outbox,
      this.topics,
      this.options.schema,
      this.options.schema,
    );
    return this.consumers;
  }

  startRelay(): OutboxRelay {
    this.relay = new OutboxRelay(
      this.dataSource,
      this.producer,
      {
        schema: this.options.schema,
        databaseUrl: this.options.url,
        batchSize: 500,
        pollIntervalMs: this.options.pollIntervalMs ?? 200,
        retentionHours: 24,
      },
      new Logger('probe-relay'),
    );
    this.relay.start();
    return this.relay;
  }

  /** One state change and its event in one transaction; `fail` rolls it back after the outbox write. */
  async increment(aggregateId: string, amount: number, fail = false): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(
        `INSERT INTO ${this.s}.counters (aggregate_id, version, total) VALUES ($1, 1, $2)
         ON CONFLICT (aggregate_id) DO UPDATE SET version = counters.version + 1, total = counters.total + $2
         RETURNING version`,
        [aggregateId, amount],
      )) as { version: number }[];
      await this.outbox.add(tx, [
        {
          contract: ProbeIncremented,
          aggregateId,
          organizationId: '00000000-0000-7000-8000-000000000001',
          payload: { version: row.version, amount },
        },
      ]);
      if (fail) throw new Error('rolled back on purpose');
      return row.version;
    });
  }

  /** The applier: a deliberately non-idempotent effect, so a double apply would show. */
  applier(extra?: ProbeEffect): ProbeEffect {
    return async (event, tx) => {
      if (extra) await extra(event, tx);
      const { version, amount } = event.payload;
      await tx.query(
        `INSERT INTO ${this.s}.applied (event_id, aggregate_id, version, amount) VALUES ($1, $2, $3, $4)`,
        [event.id, event.aggregateId, version, amount],
      );
      await tx.query(`UPDATE ${this.s}.totals SET count = count + 1, sum = sum + $1 WHERE id = 1`, [amount]);
      await tx.query(
        `INSERT INTO ${this.s}.seen (aggregate_id, last_version, out_of_order) VALUES ($1, $2, CASE WHEN $2 = 1 THEN 0 ELSE 1 END)
         ON CONFLICT (aggregate_id) DO UPDATE SET last_version = $2,
           out_of_order = seen.out_of_order + CASE WHEN $2 = seen.last_version + 1 THEN 0 ELSE 1 END`,
        [event.aggregateId, version],
      );
    };
  }

  /** Every message on the probe topic as published, read from the start by a group of its own. */
  async rawMessages(): Promise<{ partition: number; key: string; value: Buffer; envelope: EventEnvelope }[]> {
    const topic = this.topics.physical(ProbeIncremented.topic);
    const ends = new Map((await this.topicEnds()).filter(([, end]) => end > 0));
    const out: { partition: number; key: string; value: Buffer; envelope: EventEnvelope }[] = [];
    if (ends.size === 0) return out;
    const reader = this.kafka.consumer({ groupId: `raw-reader-${randomUUID()}` });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const done = new Set<number>();
        reader
          .run({
            eachMessage: async ({ partition, message }) => {
              const end = ends.get(partition) ?? 0;
              const offset = Number(message.offset);
              if (offset < end && message.value) {
                out.push({
                  partition,
                  key: message.key?.toString() ?? '',
                  value: message.value,
                  envelope: JSON.parse(message.value.toString()) as EventEnvelope,
                });
              }
              if (offset + 1 >= end) done.add(partition);
              if (done.size === ends.size) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await reader.disconnect();
    }
    return out;
  }

  /** The probe topic's end offset per partition. */
  async topicEnds(): Promise<[number, number][]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topics.physical(ProbeIncremented.topic));
      return offsets.map((p) => [p.partition, Number(p.high)]);
    } finally {
      await admin.disconnect();
    }
  }

  /** Whether this probe's consumer group `consumer` has committed offsets up to the topic's end. */
  async caughtUp(consumer = 'applier'): Promise<boolean> {
    const ends = await this.topicEnds();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topic = this.topics.physical(ProbeIncremented.topic);
      const [committed] = await admin.fetchOffsets({
        groupId: this.topics.group(this.options.schema, consumer),
        topics: [topic],
      });
      const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends.every(([partition, end]) => end === 0 || (at.get(partition) ?? -1) >= end);
    } finally {
      await admin.disconnect();
    }
  }

  async stats(): Promise<{
    committed: number;
    committedSum: number;
    applied: number;
    appliedSum: number;
    distinct: number;
    outOfOrder: number;
  }> {
    const [c] = (await this.dataSource.query(
      `SELECT COALESCE(sum(version), 0)::int AS committed, COALESCE(sum(total), 0)::int AS sum FROM ${this.s}.counters`,
    )) as { committed: number; sum: number }[];
    const [t] = (await this.dataSource.query(`SELECT count::int, sum::int FROM ${this.s}.totals`)) as {
      count: number;
      sum: number;
    }[];
    const [d] = (await this.dataSource.query(
      `SELECT count(DISTINCT event_id)::int AS n FROM ${this.s}.applied`,
    )) as { n: number }[];
    const [o] = (await this.dataSource.query(
      `SELECT COALESCE(sum(out_of_order), 0)::int AS n FROM ${this.s}.seen`,
    )) as { n: number }[];
    return {
      committed: c.committed,
      committedSum: c.sum,
      applied: t.count,
      appliedSum: t.sum,
      distinct: d.n,
      outOfOrder: o.n,
    };
  }

  async close(): Promise<void> {
    await this.consumers.stop();
    await this.consumerApp?.close();
    await this.relay?.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
