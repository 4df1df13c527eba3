import { MessagingServiceEnv } from '@leadflow/platform/config';
import { MetricsService } from '@leadflow/platform/observability';
import type { DynamicModule, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConsumerRunner } from './consumer.runner';
import { DeadLetterController } from './dead-letter.controller';
import { DeadLetterService } from './dead-letters';
import { createKafka, ensureTopics } from './kafka-admin';
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

/**
 * Owns the service's Kafka clients and their lifecycle: creates topics, starts the relay and the
 * consumers once every module registered its handlers, and on shutdown stops consuming first,
 * then flushes the outbox, then disconnects.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Messaging');
  private admin: Admin | undefined;
  private healthyUntil = 0;
  private consumersStarted: Promise<void> = Promise.resolve();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    private readonly env: MessagingServiceEnv,
    private readonly topics: TopicNamer,
    private readonly relay: OutboxRelay,
    private readonly consumers: ConsumerRunner,
    private readonly deadLetters: DeadLetterService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.deadLetters.registerRecorder(this.consumers);
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

  /** Readiness: the broker answers a metadata request (cached for one second). */
  async checkBroker(): Promise<void> {
    if (Date.now() < this.healthyUntil) return;
    if (!this.admin) throw new Error('Kafka admin not connected yet');
    await Promise.race([
      this.admin.describeCluster(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('Kafka did not answer within 3 s')), 3000),
      ),
    ]);
    this.healthyUntil = Date.now() + 1000;
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumers.stop();
    await this.consumersStarted;
    this.logger.log('consumers stopped');
    await this.relay.stop(Date.now() + Math.max(1000, this.env.SHUTDOWN_TIMEOUT_MS / 2));
    this.logger.log('outbox relay flushed and stopped');
    await this.producer.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
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
          inject: [TopicNamer],
          useFactory: (topics: TopicNamer) => new OutboxWriter(options.schema, options.service, topics),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, KAFKA_PRODUCER, MessagingServiceEnv, MetricsService],
          useFactory: (
            ds: DataSource,
            producer: Producer,
            env: MessagingServiceEnv,
            metrics: MetricsService,
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
        MessagingLifecycle,
      ],
      exports: [
        OutboxWriter,
        ConsumerRunner,
        DeadLetterService,
        TopicNamer,
        MessagingLifecycle,
        KAFKA_PRODUCER,
      ],
    };
  }
}
