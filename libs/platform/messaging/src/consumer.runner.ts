import type { EventContract, EventEnvelope } from '@leadflow/contracts';
import { DomainError, databaseFaultOf } from '@leadflow/platform/errors';
import type { MetricsService } from '@leadflow/platform/observability';
import { RequestContext } from '@leadflow/platform/observability';
import { quoteIdent } from '@leadflow/platform/persistence';
import type { Logger } from '@nestjs/common';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidEventError, parseEnvelope, validatePayload } from './event-validation';
import type { TopicNamer } from './topic-namer';

/** Where and how often a message was tried, for the handler's context. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  /** 1 for the first try (a batch counts as the first), then each retry of the message alone. */
  attempt: number;
}

export type EventHandler<P extends object> = (
  event: EventEnvelope<P>,
  tx: EntityManager,
  delivery: Delivery,
) => Promise<void>;

/**
 * One handler of a consumer, as the event transport (`EventTransport`) registers it from an
 * `@EventPattern` method. Services do not register handlers themselves.
 */
export interface HandlerRegistration<P extends object = object> {
  contract: EventContract<P>;
  handle: EventHandler<P>;
  /** false: the handler reads only the envelope, so the payload is not validated for it. */
  readsPayload: boolean;
  /**
   * A batch handler: consecutive events of its type in a group (up to 100, fresh ones only, in
   * partition order) in one call; `handle` is then the same handler given one event (the
   * one-by-one fallback, where a failing event is retried and dead-lettered alone).
   */
  handleMany?: (events: EventEnvelope<P>[], tx: EntityManager, delivery: Delivery) => Promise<void>;
}

/** What a consumer does with event types it has no handler for. */
export interface ConsumerRules {
  /** Types on its topics it leaves alone by rule (counted as `ignored`). */
  ignores?: readonly string[];
  /**
   * How the broker gathers a fetch (kafkajs `minBytes` / `maxWaitTimeInMs`): it answers when
   * `minBytes` of new messages are there or after `maxWaitMs`. Larger batches for a batch handler,
   * at up to `maxWaitMs` of added latency. Default: answer as soon as one message is there.
   */
  fetch?: { minBytes: number; maxWaitMs: number };
}

/** What happened to one message. */
/**
 * What happened to one message. `ignored`: a type the consumer lists as ignored; `unknown`: a type
 * it neither handles nor lists (a newer producer's), skipped with a warning once per type.
 */
export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'unknown' | 'dead-lettered';

export interface ConsumerRunnerOptions {
  service: string;
  schema: string;
  maxAttempts: number;
  retryBaseMs: number;
  /** Partitions of one consumer processed in parallel (each partition stays in order). */
  partitionsConsumedConcurrently?: number;
  /** Start a new consumer group at the earliest offset (default) or only new messages. */
  fromBeginning?: boolean;
  /**
   * Longest wait between two tries while the database is unreachable (default 5000 ms; the waits
   * grow from `retryBaseMs`). Such a fault is the infrastructure's, not the message's: it is
   * retried without limit and never counts toward `maxAttempts`.
   */
  infrastructureRetryMaxMs?: number;
}

const DEFAULT_INFRASTRUCTURE_RETRY_MAX_MS = 5000;

export type RawHandler = (topic: string, partition: number, message: KafkaMessage) => Promise<void>;

/**
 * Handles consecutive messages of one partition, in order (all of them, or throws). `live` turns
 * false when the batch is no longer ours to finish (the runner stops, the partition was revoked).
 */
type ManyHandler = (
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  live: () => boolean,
) => Promise<void>;

/** Most messages of one partition applied in one transaction. */
const GROUP_MAX_MESSAGES = 100;

/** A message whose envelope and payload are valid for one of the consumer's handlers. */
interface ReadyEvent {
  envelope: EventEnvelope;
  registration: HandlerRegistration;
  message: KafkaMessage;
}

interface ConsumerHandlers {
  byType: Map<string, HandlerRegistration>;
  ignores: Set<string>;
}

interface Group {
  name: string;
  consumer: Consumer;
}

export const DLQ_HEADERS = {
  error: 'x-dlq-error',
  errorKind: 'x-dlq-error-kind',
  consumer: 'x-dlq-consumer',
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  attempts: 'x-dlq-attempts',
  failedAt: 'x-dlq-failed-at',
} as const;

class StoppingError extends Error {}

/** kafkajs's errors that make a member rejoin its group (see kafkajs `isRebalancing`). */
function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID'
  );
}

/**
 * Runs a service's Kafka consumers. Each named consumer is its own consumer group with handlers
 * per event type. For every message: validate envelope and payload (invalid → DLQ at once), then
 * run the handler and record `(consumer, event id)` in the inbox in one transaction, so a
 * redelivered event changes nothing. The valid messages of a fetched batch (up to 100 of one
 * partition) share that transaction — one inbox insert and one commit for all, the handlers in
 * partition order. If it fails, they are applied one by one instead: a failing handler is retried
 * with exponential backoff and then dead-lettered, without holding up the others. Offsets are
 * resolved only after that. While the database cannot be reached (a connection-class fault, see
 * `databaseFaultOf`), the partition is held: the same message or group is tried again without
 * limit, with backoff up to `infrastructureRetryMaxMs`, counted in
 * `consumer_infrastructure_retries_total` and never toward `maxAttempts`, so an outage neither
 * dead-letters events nor lets a later event of an aggregate overtake an earlier one. The DLQ is
 * for errors of the message itself. Messages of types a consumer does not handle are skipped (topics
 * carry every event type of their aggregate): counted `ignored` when its rules list the type,
 * else `unknown` with a warning once per type. Handlers must change state only through the
 * transaction they are given (a group may be rolled back and applied again one by one).
 * Handlers come from `@EventPattern` methods through `EventTransport`; the runner is its engine.
 */
export class ConsumerRunner {
  private readonly groups: Group[] = [];
  private readonly pending: {
    name: string;
    topics: string[];
    handleMany: ManyHandler;
    fetch?: ConsumerRules['fetch'];
  }[] = [];
  private stopping = false;
  private started = false;
  private readonly inbox: string;
  private readonly lag?: ReturnType<MetricsService['gauge']>;
  private readonly dlqCount?: ReturnType<MetricsService['counter']>;
  private readonly handled?: ReturnType<MetricsService['counter']>;
  private readonly infrastructureRetries?: ReturnType<MetricsService['counter']>;
  /** Consumer and type pairs already warned about (see `unknownType`). */
  private readonly warnedTypes = new Set<string>();
  /** Wakes the backoff waits in progress, so that stop() does not wait for them. */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly topics: TopicNamer,
    private readonly options: ConsumerRunnerOptions,
    private readonly logger: Logger,
    metrics?: MetricsService,
  ) {
    this.inbox = `${quoteIdent(options.schema)}.inbox`;
    if (metrics) {
      this.lag = metrics.gauge('kafka_consumer_lag', 'Messages behind the partition end, per consumer', [
        'consumer',
        'topic',
        'partition',
      ]);
      this.dlqCount = metrics.counter('kafka_dlq_messages_total', 'Messages sent to the dead-letter topic', [
        'consumer',
        'reason',
      ]);
      this.handled = metrics.counter('kafka_messages_handled_total', 'Messages handled, by outcome', [
        'consumer',
        'outcome',
      ]);
      this.infrastructureRetries = metrics.counter(
        'consumer_infrastructure_retries_total',
        'Tries repeated because the database could not be reached (not counted as message attempts)',
        ['consumer'],
      );
    }
  }

  /** Registers a consumer of events (logical topic names come from the contracts). */
  register(consumer: string, handlers: HandlerRegistration[], rules: ConsumerRules = {}): void {
    const byType = new Map<string, HandlerRegistration>();
    for (const h of handlers) {
      if (byType.has(h.contract.type)) throw new Error(`${consumer}: two handlers for ${h.contract.type}`);
      byType.set(h.contract.type, h);
    }
    const topics = [...new Set(handlers.map((h) => this.topics.physical(h.contract.topic)))];
    const ignores = new Set(rules.ignores ?? []);
    this.add(
      consumer,
      topics,
      (topic, partition, messages, live) =>
        this.processEvents(consumer, { byType, ignores }, topic, partition, messages, live),
      rules.fetch,
    );
  }

  /** Registers a consumer of raw messages (physical topic names). Used for the DLQ recorder. */
  registerRaw(consumer: string, topics: string[], handler: RawHandler): void {
    this.add(consumer, topics, async (topic, partition, messages, live) => {
      for (const message of messages)
        await this.holdThroughOutage(consumer, live, () => handler(topic, partition, message));
    });
  }

  private add(
    consumer: string,
    topics: string[],
    handleMany: ManyHandler,
    fetch?: ConsumerRules['fetch'],
  ): void {
    if (this.started) throw new Error('register consumers before the runner starts');
    if (this.pending.some((p) => p.name === consumer))
      throw new Error(`consumer ${consumer} registered twice`);
    this.pending.push({ name: consumer, topics, handleMany, fetch });
  }

  /** Every physical topic some registered consumer reads. */
  subscribedTopics(): string[] {
    return [...new Set(this.pending.flatMap((p) => p.topics))];
  }

  /** Connects every registered consumer and joins its group (all groups at once). */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all(this.pending.map((registration) => this.startOne(registration)));
  }

  private async startOne({
    name,
    topics,
    handleMany,
    fetch,
  }: ConsumerRunner['pending'][number]): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.topics.group(this.options.service, name),
      ...(fetch ? { minBytes: fetch.minBytes, maxWaitTimeInMs: fetch.maxWaitMs } : {}),
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      retry: { retries: 10 },
    });
    // Known before it joins, so that stop() can leave a group that is still joining.
    this.groups.push({ name, consumer });
    if (this.stopping) return;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      autoCommitThreshold: 100,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        // A heartbeat that reports a rebalance means the group wants this member back: a batch
        // held through a database outage is let go then, and the error goes to kafkajs, which rejoins.
        let rebalance: unknown;
        const beat = async (): Promise<void> => {
          try {
            await heartbeat();
          } catch (error) {
            if (isRebalanceError(error)) rebalance ??= error;
          }
        };
        const live = (): boolean => rebalance === undefined && isRunning() && !isStale() && !this.stopping;
        for (let start = 0; start < batch.messages.length; start += GROUP_MAX_MESSAGES) {
          if (!live()) break;
          const group = batch.messages.slice(start, start + GROUP_MAX_MESSAGES);
          try {
            await this.withHeartbeat(beat, () => handleMany(batch.topic, batch.partition, group, live));
          } catch (error) {
            if (error instanceof StoppingError && rebalance !== undefined) throw rebalance;
            throw error;
          }
          resolveOffset(group[group.length - 1].offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        this.lag?.set(
          { consumer: name, topic: batch.topic, partition: String(batch.partition) },
          Number(batch.offsetLag()),
        );
      },
    });
  }

  /** Stops taking messages; the message in hand finishes (or is left uncommitted) first. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.groups.map((g) => g.consumer.disconnect().catch(() => undefined)));
    this.groups.length = 0;
  }

  get isRunning(): boolean {
    return this.started && !this.stopping;
  }

  private async processEvents(
    consumer: string,
    handlers: ConsumerHandlers,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    live: () => boolean,
  ): Promise<void> {
    const ready: ReadyEvent[] = [];
    for (const message of messages) {
      const event = await this.validate(consumer, handlers, topic, partition, message);
      if (event) ready.push(event);
    }
    if (ready.length > 1) {
      try {
        const outcomes = await this.holdThroughOutage(consumer, live, () =>
          this.applyGroup(consumer, ready, topic, partition),
        );
        for (const outcome of outcomes) this.count(consumer, outcome);
        return;
      } catch (error) {
        if (error instanceof StoppingError) throw error;
        if (this.stopping) throw new StoppingError('stopping; messages left for redelivery');
        this.logger.warn(
          { err: error, consumer, topic, partition, messages: ready.length },
          'event group failed; applying its events one by one',
        );
      }
    }
    for (const event of ready) await this.applyWithRetries(consumer, event, topic, partition, live);
  }

  /** The message's event and handler; null when it was skipped or dead-lettered as invalid. */
  private async validate(
    consumer: string,
    handlers: ConsumerHandlers,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<ReadyEvent | null> {
    try {
      const envelope = parseEnvelope(message.value);
      const registration = handlers.byType.get(envelope.type);
      if (!registration) {
        if (handlers.ignores.has(envelope.type)) this.count(consumer, 'ignored');
        else this.unknownType(consumer, topic, envelope.type);
        return null;
      }
      if (registration.contract.version < envelope.version) {
        throw new InvalidEventError(
          `${envelope.type} v${envelope.version} is newer than the v${registration.contract.version} this consumer knows`,
        );
      }
      if (registration.readsPayload !== false)
        envelope.payload = validatePayload(registration.contract, envelope.payload) as Record<
          string,
          unknown
        >;
      return { envelope, registration, message };
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      await this.deadLetter(consumer, topic, partition, message, error, 'invalid', 1);
      this.count(consumer, 'dead-lettered');
      return null;
    }
  }

  /** Applies valid events in one transaction: one inbox insert, each new event's handler in order. */
  private async applyGroup(
    consumer: string,
    events: ReadyEvent[],
    topic: string,
    partition: number,
  ): Promise<Outcome[]> {
    return this.dataSource.transaction(async (tx) => {
      const rows: { event_id: string }[] = await tx.query(
        `INSERT INTO ${this.inbox} (consumer, event_id, topic, kafka_partition, kafka_offset)
         SELECT $1, e.id, $2, $3, e.kafka_offset FROM unnest($4::uuid[], $5::bigint[]) AS e(id, kafka_offset)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, topic, partition, events.map((e) => e.envelope.id), events.map((e) => e.message.offset)],
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      const outcomes: Outcome[] = [];
      const applying: ReadyEvent[] = [];
      for (const event of events) {
        // An event twice in the group (a re-sent copy) is applied once.
        const isFresh = fresh.delete(event.envelope.id);
        outcomes.push(isFresh ? 'applied' : 'duplicate');
        if (isFresh) applying.push(event);
      }
      // In partition order; consecutive events of one batch handler go to it in one call.
      for (let i = 0; i < applying.length;) {
        const { envelope, registration, message } = applying[i];
        const delivery = { topic, partition, offset: message.offset, attempt: 1 };
        const context = {
          requestId: envelope.id,
          correlationId: envelope.correlationId,
          causationId: envelope.id,
        };
        if (registration.handleMany) {
          let end = i + 1;
          while (end < applying.length && applying[end].registration === registration) end++;
          const run = applying.slice(i, end).map((e) => e.envelope);
          await RequestContext.run(context, () => registration.handleMany!(run, tx, delivery));
          i = end;
        } else {
          await RequestContext.run(context, () => registration.handle(envelope, tx, delivery));
          i++;
        }
      }
      return outcomes;
    });
  }

  private async applyWithRetries(
    consumer: string,
    { envelope, registration, message }: ReadyEvent,
    topic: string,
    partition: number,
    live: () => boolean,
  ): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.holdThroughOutage(consumer, live, () =>
          RequestContext.run(
            { requestId: envelope.id, correlationId: envelope.correlationId, causationId: envelope.id },
            () =>
              this.applyOnce(consumer, envelope, registration, {
                topic,
                partition,
                offset: message.offset,
                attempt,
              }),
          ),
        );
        return this.count(consumer, outcome);
      } catch (error) {
        if (error instanceof StoppingError) throw error;
        const permanent = error instanceof DomainError && !error.retryable;
        if (this.stopping) throw new StoppingError('stopping; message left for redelivery');
        if (permanent || attempt >= this.options.maxAttempts) {
          await this.deadLetter(
            consumer,
            topic,
            partition,
            message,
            error,
            permanent ? 'rejected' : 'failed',
            attempt,
          );
          return this.count(consumer, 'dead-lettered');
        }
        const delay = this.options.retryBaseMs * 2 ** (attempt - 1);
        this.logger.warn(
          { err: error, consumer, eventId: envelope.id, type: envelope.type, attempt, retryInMs: delay },
          'event handler failed; retrying',
        );
        await this.pause(delay);
      }
    }
  }

  /**
   * Runs `work` until it ends other than by a database connection fault: such a fault is the
   * infrastructure's, so `work` is tried again (with backoff, without limit) while the partition
   * waits. Other errors are thrown to the caller. Gives up only when the batch stops being live.
   */
  private async holdThroughOutage<T>(
    consumer: string,
    live: () => boolean,
    work: () => Promise<T>,
  ): Promise<T> {
    const maxDelay = this.options.infrastructureRetryMaxMs ?? DEFAULT_INFRASTRUCTURE_RETRY_MAX_MS;
    for (let retry = 1; ; retry++) {
      try {
        return await work();
      } catch (error) {
        if (databaseFaultOf(error) !== 'unavailable') throw error;
        if (!live()) throw new StoppingError('stopping; messages left for redelivery');
        const delay = Math.min(
          maxDelay,
          Math.max(1, this.options.retryBaseMs) * 2 ** Math.min(retry - 1, 20),
        );
        this.infrastructureRetries?.inc({ consumer });
        this.logger.warn(
          { err: error, consumer, retry, retryInMs: delay },
          'database unreachable; holding the partition and retrying',
        );
        await this.pause(delay);
        if (!live()) throw new StoppingError('stopping; messages left for redelivery');
      }
    }
  }

  /** Waits `ms`, or until stop(). */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async applyOnce(
    consumer: string,
    envelope: EventEnvelope,
    registration: HandlerRegistration,
    delivery: Delivery,
  ): Promise<Outcome> {
    return this.dataSource.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO ${this.inbox} (consumer, event_id, topic, kafka_partition, kafka_offset)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
        [consumer, envelope.id, delivery.topic, delivery.partition, delivery.offset],
      );
      if (inserted.length === 0) return 'duplicate';
      await registration.handle(envelope, tx, delivery);
      return 'applied';
    });
  }

  private async deadLetter(
    consumer: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    kind: 'invalid' | 'rejected' | 'failed',
    attempts: number,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.error]: reason.slice(0, 4000),
      [DLQ_HEADERS.errorKind]: kind,
      [DLQ_HEADERS.consumer]: consumer,
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: String(partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    const key =
      message.key && message.key.length > 0 ? message.key : `${topic}:${partition}:${message.offset}`;
    await this.producer.send({
      topic: this.topics.dlq(this.options.service),
      acks: -1,
      messages: [{ key, value: message.value, headers }],
    });
    this.dlqCount?.inc({ consumer, reason: kind });
    this.logger.error(
      { consumer, topic, partition, offset: message.offset, kind, attempts, reason },
      'message dead-lettered',
    );
  }

  /** A type the consumer was not built for: skipped (topics carry every type of their aggregate), said once. */
  private unknownType(consumer: string, topic: string, type: string): void {
    const key = `${consumer}\u0000${type}`;
    if (!this.warnedTypes.has(key)) {
      this.warnedTypes.add(key);
      this.logger.warn(
        { consumer, topic, type },
        'event type neither handled nor listed as ignored by this consumer; skipping it (said once per type)',
      );
    }
    this.count(consumer, 'unknown');
  }

  private count(consumer: string, outcome: Outcome): Outcome {
    this.handled?.inc({ consumer, outcome });
    return outcome;
  }

  /** Keeps the group session alive while a slow handler (or its retries) runs. */
  private async withHeartbeat<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void heartbeat().catch(() => undefined), 2500);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}
