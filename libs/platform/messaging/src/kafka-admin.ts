import type { Admin, Kafka, KafkaConfig, RetryOptions } from 'kafkajs';
import { Kafka as KafkaClient, logLevel } from 'kafkajs';
import type { Logger } from '@nestjs/common';
import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer';

/**
 * A kafkajs client. Its `retry` applies to connecting and metadata as well (kafkajs's cluster
 * retries each connection); without `logger`, kafkajs's own log lines are dropped.
 */
export function createKafka(options: {
  brokers: string;
  clientId: string;
  logger?: Logger;
  retry?: RetryOptions;
}): Kafka {
  applyKafkajsIdleTimerFix();
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers.split(',').map((b) => b.trim()),
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: options.retry ?? { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const line = `kafkajs ${entry.namespace}: ${message}`;
      if (!options.logger) return;
      if (entry.level <= logLevel.ERROR) options.logger.error({ ...extra }, line);
      else options.logger.warn({ ...extra }, line);
    },
  };
  return new KafkaClient(config);
}

/**
 * Creates the topics the service needs (the platform creates topics; the broker never
 * auto-creates them) and waits until the broker serves metadata for all of them. Existing topics
 * are left as they are. Several services start at once and create overlapping topics, and fresh
 * topics take a moment to propagate, so every step is retried with backoff.
 */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: { partitions: number; replicationFactor: number; attempts?: number },
): Promise<void> {
  const wanted = [...new Set(topics)];
  const attempts = options.attempts ?? 15;
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: options.partitions,
            replicationFactor: options.replicationFactor,
          })),
        });
      }
      const metadata = await admin.fetchTopicMetadata({ topics: wanted });
      const leaderless = metadata.topics.filter((t) => t.partitions.some((p) => p.leader < 0));
      if (leaderless.length === 0) return;
      throw new Error(`topics without a leader yet: ${leaderless.map((t) => t.name).join(', ')}`);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}

/** Partition counts of topics, read from the broker each call (the relay's rare isolation path). */
export type PartitionCounts = (topics: string[]) => Promise<Map<string, number>>;

export function partitionCounts(kafka: Kafka): PartitionCounts {
  return async (topics) => {
    const admin = kafka.admin({ retry: { retries: 2 } });
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}
