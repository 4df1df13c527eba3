import type { EnvSchema } from '@leadflow/platform/config';

/** Everything the platform needs to know to run one service. */
export interface ServiceDefinition<E extends object> {
  /** Service name: log field, Kafka client id, consumer-group and DLQ prefix. */
  name: string;
  title: string;
  description: string;
  env: EnvSchema<E>;
  /** Reads the HTTP port from the settings (`<SERVICE>_PORT`). */
  port: (env: E) => number;
  /** Largest accepted request body (default 1 MB). */
  bodyLimit?: string;
  database?: {
    schema: string;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    migrations: Function[];
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    entities?: Function[];
  };
  messaging?: {
    publishes: readonly string[];
    consumes?: readonly string[];
  };
}
