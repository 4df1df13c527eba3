import { MessagingServiceEnv } from '@leadflow/platform/config';
import { MetricsService } from '@leadflow/platform/observability';
import type { DynamicModule, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Gauge } from 'prom-client';
import { Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConsumerRunner } from './consumer.runner';
import { DeadLetterController } from './dead-letter.controller';
import { DeadLetterService } from './dead-letters';
import { EventTransport } from './event-transport';
import { createKafka, ensureTopics, partitionCounts } from './kafka-admin';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter } from './outbox.writer';
import { TopicNamer } from './topic-namer';

export interface MessagingOptions {
  service: string;
  schema: string;
  /** Logical topics the service publishes (from libs/contracts). */
  publishes: readonly string[];
  /** Logical topics it consumes that it does not publish (they are created if missing). */
  consumes?: readonly string[];
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');

/** What the service knows about its broker (the `kafka` detail of `/readyz`). */
export interface BrokerStatus {
  /** The broker answered the last attempt. */
  connected: boolean;
  /** `connecting`: not reached since start; `disconnected`: reached before, lost since. */
  state: 'connecting' | 'connected' | 'disconnected';
  /** When the state last changed (ISO 8601). */
  since: string;
  /** Why the last attempt failed (while not connected). */
  error?: string;
}

/** Backoff between attempts to reach the broker while it does not answer (doubling, capped). */
export const BROKER_BACKOFF_MS = { initial: 250, max: 10_000 } as const;
/** How often a connected broker is asked whether it still answers. */
const BROKER_PROBE_INTERVAL_MS = 2000;
const BROKER_PROBE_TIMEOUT_MS = 3000;

/**
 * Owns the service's Kafka clients and their lifecycle. Start-up never waits for the broker:
 * once every module registered its handlers, a background loop connects (admin, topics, producer)
 * with capped backoff, forever, then starts the relay and the consumers, and keeps probing the
 * broker; each change of state is logged once and kept as `messaging_broker_connected`. Meanwhile
 * writes go to the outbox, which the relay publishes when the broker is back. On shutdown it stops
 * consuming first, then flushes the outbox, then disconnects.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Messaging');
  private readonly admin: Admin;
  private readonly connectedGauge: Gauge;
  private status: BrokerStatus = { connected: false, state: 'connecting', since: new Date().toISOString() };
  private started = false;
  private attempted = false;
  private stopping = false;
  private supervisor: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private consumersStarted: Promise<void> = Promise.resolve();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    private readonly env: MessagingServiceEnv,
    private readonly topics: TopicNamer,
    private readonly relay: OutboxRelay,
    private readonly consumers: ConsumerRunner,
    private readonly deadLetters: DeadLetterService,
    metrics: MetricsService,
  ) {
    // A client of its own without retries, so that each attempt is one connection and the
    // supervisor's backoff paces them (kafkajs's cluster retries connecting with the client's
    // retry, whatever the admin's is), and without kafkajs's log lines: the supervisor logs each
    // change of state once. ensureTopics retries its own steps.
    this.admin = createKafka({
      brokers: this.env.KAFKA_BROKERS,
      clientId: this.options.service,
      retry: { retries: 0 },
    }).admin({ retry: { retries: 0 } });
    this.connectedGauge = metrics.gauge(
      'messaging_broker_connected',
      '1 when the Kafka broker answered the last attempt, else 0',
    );
    this.connectedGauge.set(0);
  }

  onApplicationBootstrap(): void {
    this.deadLetters.registerRecorder(this.consumers);
    this.supervisor = this.supervise();
  }

  /** The broker's state as last seen (never waits for the broker). */
  brokerStatus(): BrokerStatus {
    return { ...this.status };
  }

  private async supervise(): Promise<void> {
    let backoff: number = BROKER_BACKOFF_MS.initial;
    while (!this.stopping) {
      try {
        if (this.started) await this.probe();
        else await this.startMessaging();
        if (this.stopping) return;
        this.mark({ connected: true, state: 'connected' });
        backoff = BROKER_BACKOFF_MS.initial;
        await this.pause(BROKER_PROBE_INTERVAL_MS);
      } catch (error) {
        if (this.stopping) return;
        const message = (error as Error).message || String(error);
        this.mark({ connected: false, state: this.started ? 'disconnected' : 'connecting', error: message });
        await this.pause(backoff);
        backoff = Math.min(BROKER_BACKOFF_MS.max, backoff * 2);
      }
    }
  }

  /** First contact: topics, producer, then the relay and (in the background) the consumers. */
  private async startMessaging(): Promise<void> {
    await this.admin.connect();
    const logical = [...this.options.publishes, ...(this.options.consumes ?? [])];
    await ensureTopics(
      this.admin,
      [
        ...logical.map((t) => this.topics.physical(t)),
        this.topics.dlq(this.options.service),
        ...this.consumers.subscribedTopics(),
      ],
      { partitions: this.env.KAFKA_TOPIC_PARTITIONS, replicationFactor: this.env.KAFKA_REPLICATION_FACTOR },
    );
    await this.producer.connect();
    if (this.stopping) return;
    this.started = true;
    this.relay.start();
    // Joining a consumer group can take a session timeout (30 s) after a crash of the previous
    // member; the service takes requests meanwhile, so consumers join in the background.
    this.consumersStarted = this.consumers.start().then(
      () => this.logger.log(`consumers joined (topic prefix "${this.topics.prefix}")`),
      (error: unknown) => {
        if (this.consumers.isRunning) this.logger.error({ err: error }, 'consumers could not start');
      },
    );
    this.logger.log(`messaging started (topic prefix "${this.topics.prefix}")`);
  }

  /** The broker answers a metadata request within 3 s. */
  private async probe(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.admin.describeCluster(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Kafka did not answer within ${BROKER_PROBE_TIMEOUT_MS / 1000} s`)),
            BROKER_PROBE_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records a state; logs and gauges only changes of state. */
  private mark(next: Omit<BrokerStatus, 'since'>): void {
    const previous = this.status;
    const first = !this.attempted;
    this.attempted = true;
    if (previous.state === next.state && !first) {
      this.status = { ...previous, ...next, since: previous.since };
      return;
    }
    this.status = {
      ...next,
      since: previous.state === next.state ? previous.since : new Date().toISOString(),
    };
    this.connectedGauge.set(next.connected ? 1 : 0);
    const brokers = this.env.KAFKA_BROKERS;
    if (next.connected)
      this.logger.log(`Kafka broker ${brokers} reached (was ${previous.state} since ${previous.since})`);
    else
      this.logger.warn(
        `Kafka broker ${brokers} not reachable (${next.error}); retrying every ${BROKER_BACKOFF_MS.initial} ms to ${BROKER_BACKOFF_MS.max / 1000} s, the outbox keeps events meanwhile`,
      );
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.consumers.stop();
    await this.consumersStarted;
    this.logger.log('consumers stopped');
    await this.relay.stop(Date.now() + Math.max(1000, this.env.SHUTDOWN_TIMEOUT_MS / 2));
    this.logger.log('outbox relay flushed and stopped');
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    // A first connection still under way gives up at its next step (it checks `stopping`).
    await Promise.race([this.supervisor, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      controllers: [DeadLetterController],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: TopicNamer,
          inject: [MessagingServiceEnv],
          useFactory: (env: MessagingServiceEnv) => new TopicNamer(env.KAFKA_TOPIC_PREFIX),
        },
        {
          provide: KAFKA,
          inject: [MessagingServiceEnv],
          useFactory: (env: MessagingServiceEnv) =>
            createKafka({
              brokers: env.KAFKA_BROKERS,
              clientId: options.service,
              logger: new Logger('Kafka'),
            }),
        },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              allowAutoTopicCreation: false,
              createPartitioner: Partitioners.DefaultPartitioner,
            }),
        },
        {
          provide: OutboxWriter,
          inject: [TopicNamer, MessagingServiceEnv],
          useFactory: (topics: TopicNamer, env: MessagingServiceEnv) =>
            new OutboxWriter(options.schema, options.service, topics, env.OUTBOX_MAX_EVENT_BYTES),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, KAFKA_PRODUCER, MessagingServiceEnv, MetricsService, KAFKA],
          useFactory: (
            ds: DataSource,
            producer: Producer,
            env: MessagingServiceEnv,
            metrics: MetricsService,
            kafka: Kafka,
          ) =>
            new OutboxRelay(
              ds,
              producer,
              {
                schema: options.schema,
                databaseUrl: env.DATABASE_URL,
                batchSize: env.OUTBOX_BATCH_SIZE,
                pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
                retentionHours: env.OUTBOX_RETENTION_HOURS,
                maxBatchBytes: env.OUTBOX_MAX_BATCH_BYTES,
                partitionCounts: partitionCounts(kafka),
              },
              new Logger('OutboxRelay'),
              metrics,
            ),
        },
        {
          provide: ConsumerRunner,
          inject: [KAFKA, DataSource, KAFKA_PRODUCER, TopicNamer, MessagingServiceEnv, MetricsService],
          useFactory: (
            kafka: Kafka,
            ds: DataSource,
            producer: Producer,
            topics: TopicNamer,
            env: MessagingServiceEnv,
            metrics: MetricsService,
          ) =>
            new ConsumerRunner(
              kafka,
              ds,
              producer,
              topics,
              {
                service: options.service,
                schema: options.schema,
                maxAttempts: env.CONSUMER_MAX_ATTEMPTS,
                retryBaseMs: env.CONSUMER_RETRY_BASE_MS,
              },
              new Logger('Consumers'),
              metrics,
            ),
        },
        {
          provide: DeadLetterService,
          inject: [DataSource, OutboxWriter, TopicNamer],
          useFactory: (ds: DataSource, outbox: OutboxWriter, topics: TopicNamer) =>
            new DeadLetterService(ds, outbox, topics, options.service, options.schema),
        },
        {
          provide: EventTransport,
          inject: [ConsumerRunner],
          useFactory: (runner: ConsumerRunner) => new EventTransport(runner),
        },
        MessagingLifecycle,
      ],
      exports: [
        OutboxWriter,
        EventTransport,
        DeadLetterService,
        TopicNamer,
        MessagingLifecycle,
        KAFKA_PRODUCER,
      ],
    };
  }
}
