import type { Logger } from '@nestjs/common';
import type { MetricsService } from '@leadflow/platform/observability';
import { quoteIdent } from '@leadflow/platform/persistence';
import type { Producer, TopicMessages } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { outboxChannel } from './messaging-tables';

export interface OutboxRelayOptions {
  schema: string;
  /** For the relay's own connection, which holds the lease and LISTENs. */
  databaseUrl: string;
  batchSize: number;
  pollIntervalMs: number;
  retentionHours: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: string;
  headers: Record<string, string>;
  created_at: Date;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Publishes committed outbox rows to Kafka in sequence order and marks them sent.
 *
 * One relay per schema publishes at a time: it holds a session advisory lock (the lease) on its
 * own connection; other replicas wait and take over if that connection dies. The relay is woken by
 * NOTIFY from the outbox trigger and polls as a fallback. A failed send is retried with backoff;
 * rows are marked sent only after the broker acknowledged them (acks=all, idempotent producer), so
 * nothing committed is lost, and a retry after an unknown outcome can only duplicate, which
 * consumers' inboxes absorb.
 */
export class OutboxRelay {
  private readonly table: string;
  private leaseClient: Client | undefined;
  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private lastPrune = 0;
  /** The UPDATE marking the last published batch sent, while it runs (see publishBatch). */
  private marking: { ids: string[]; done: Promise<void> } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
    private readonly metrics?: MetricsService,
  ) {
    this.table = `${quoteIdent(options.schema)}.outbox`;
    this.registerMetrics();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop, then (as leader) publishes what is left, up to the deadline. */
  async stop(deadline = Date.now() + 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.leader) {
      try {
        while (Date.now() < deadline && (await this.publishBatch()) === this.options.batchSize) {
          // drain
        }
        await this.settleMark();
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox flush on shutdown failed; rows stay for the next relay');
      }
    }
    await this.releaseLease();
  }

  /**
   * Publishes one batch; returns how many rows it published. Exposed for tests and benchmarks.
   *
   * The UPDATE that marks a batch sent runs while the next batch is selected and sent (one at a
   * time): the next SELECT skips the rows being marked. Rows are still marked only after the broker
   * acknowledged them; a failed mark surfaces on the next call and leaves its rows unsent, so they
   * are published again (a duplicate, as after any unknown outcome), never lost.
   */
  async publishBatch(): Promise<number> {
    const marking = this.marking?.ids ?? [];
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id, topic, message_key, value, headers, created_at FROM ${this.table}
        WHERE sent_at IS NULL AND id <> ALL($2::uuid[]) ORDER BY seq LIMIT $1`,
      [this.options.batchSize, marking],
    );
    if (rows.length === 0) {
      await this.settleMark();
      return 0;
    }
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      let entry = byTopic.get(row.topic);
      if (!entry) byTopic.set(row.topic, (entry = { topic: row.topic, messages: [] }));
      entry.messages.push({ key: row.message_key, value: row.value, headers: row.headers });
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
    const now = Date.now();
    for (const row of rows) this.latency?.observe((now - new Date(row.created_at).getTime()) / 1000);
    this.published?.inc(rows.length);
    await this.settleMark();
    const ids = rows.map((r) => r.id);
    const done = this.dataSource
      .query(`UPDATE ${this.table} SET sent_at = now() WHERE id = ANY($1::uuid[])`, [ids])
      .then(() => undefined);
    done.catch(() => undefined); // observed by settleMark
    this.marking = { ids, done };
    return rows.length;
  }

  /** Waits for the UPDATE of the previous batch; rethrows its failure. */
  private async settleMark(): Promise<void> {
    const marking = this.marking;
    this.marking = undefined;
    await marking?.done;
  }

  private latency?: ReturnType<MetricsService['histogram']>;
  private published?: ReturnType<MetricsService['counter']>;

  private registerMetrics(): void {
    if (!this.metrics) return;
    const table = this.table;
    const dataSource = this.dataSource;
    this.latency = this.metrics.histogram(
      'outbox_publish_latency_seconds',
      'Time from an outbox row being written to its publication',
      [],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.published = this.metrics.counter('outbox_published_total', 'Outbox rows published to Kafka');
    let last = { backlog: 0, age: 0 };
    let refreshing: Promise<void> | undefined;
    const refresh = async (): Promise<void> => {
      if (!dataSource.isInitialized) return;
      const [row] = (await dataSource.query(
        `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
           FROM ${table} WHERE sent_at IS NULL`,
      )) as { backlog: number; age: number }[];
      last = row;
    };
    const collect = async (): Promise<void> => {
      refreshing ??= refresh().finally(() => (refreshing = undefined));
      await refreshing;
    };
    this.metrics.gauge('outbox_backlog', 'Outbox rows not yet published', [], async function () {
      await collect();
      this.set(last.backlog);
    });
    this.metrics.gauge(
      'outbox_oldest_unsent_age_seconds',
      'Age of the oldest unpublished outbox row',
      [],
      async function () {
        await collect();
        this.set(last.age);
      },
    );
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        if (!this.leader && !(await this.acquireLease())) {
          await this.waitForWork();
          continue;
        }
        const count = await this.publishBatch();
        backoff = 0;
        await this.pruneIfDue();
        if (count < this.options.batchSize) await this.waitForWork();
      } catch (error) {
        backoff = Math.min(5000, Math.max(100, backoff * 2));
        this.logger.warn({ err: error, retryInMs: backoff }, 'outbox relay: publish failed, retrying');
        await this.sleep(backoff);
      }
    }
  }

  private async acquireLease(): Promise<boolean> {
    if (!this.leaseClient) {
      const client = new Client({
        connectionString: this.options.databaseUrl,
        application_name: `${this.options.schema}-relay`,
      });
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'outbox relay: lease connection lost');
        this.leader = false;
        if (this.leaseClient === client) this.leaseClient = undefined;
        client.end().catch(() => undefined);
      });
      client.on('notification', () => this.signal());
      await client.connect();
      this.leaseClient = client;
    }
    const { rows } = await this.leaseClient.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [`outbox-relay:${this.options.schema}`],
    );
    if (rows[0]?.ok) {
      await this.leaseClient.query(`LISTEN ${quoteIdent(outboxChannel(this.options.schema))}`);
      this.leader = true;
      this.logger.log(`outbox relay for schema ${this.options.schema} is the publisher`);
    }
    return this.leader;
  }

  private async releaseLease(): Promise<void> {
    const client = this.leaseClient;
    this.leaseClient = undefined;
    this.leader = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE id IN (
         SELECT id FROM ${this.table} WHERE sent_at < now() - make_interval(hours => $1) LIMIT 10000)`,
      [this.options.retentionHours],
    );
  }

  private signal(): void {
    if (this.wake) this.wake();
    else this.pendingWake = true;
  }

  private waitForWork(): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return this.sleep(this.options.pollIntervalMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
