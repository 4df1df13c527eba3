import type { Admin, Kafka, KafkaConfig } from 'kafkajs';
import { Kafka as KafkaClient, logLevel } from 'kafkajs';
import type { Logger } from '@nestjs/common';

export function createKafka(options: { brokers: string; clientId: string; logger?: Logger }): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers.split(',').map((b) => b.trim()),
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
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
 * auto-creates them). Existing topics are left as they are.
 */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: { partitions: number; replicationFactor: number },
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
      })),
    });
  } catch (error) {
    // Another replica may have created them in between; anything else is real.
    const after = new Set(await admin.listTopics());
    if (missing.some((t) => !after.has(t))) throw error;
  }
}
