import { dlqTopic } from '@leadflow/contracts';

/** Maps logical topic names from libs/contracts to physical ones (with the run's prefix). */
export class TopicNamer {
  constructor(readonly prefix: string) {}

  physical(topic: string): string {
    return this.prefix + topic;
  }

  dlq(service: string): string {
    return this.physical(dlqTopic(service));
  }

  /** The consumer group of one consumer of one service. */
  group(service: string, consumer: string): string {
    return `${this.prefix}${service}.${consumer}`;
  }
}
