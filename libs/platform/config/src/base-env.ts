import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Settings every service shares. Each service's `config/env.schema.ts` extends it. */
export class BaseServiceEnv {
  /** Interface the HTTP server binds to. Containers set 0.0.0.0. */
  @IsString()
  @IsNotEmpty()
  HTTP_HOST = '127.0.0.1';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** How long a graceful shutdown may take before the process exits anyway. */
  @IsInt()
  @Min(1000)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /** `iss` of access tokens (identity signs, every service checks). */
  @IsString()
  @IsNotEmpty()
  JWT_ISSUER = 'leadflow-identity';

  /** `aud` of access tokens. */
  @IsString()
  @IsNotEmpty()
  JWT_AUDIENCE = 'leadflow-api';

  /** identity's public keys. */
  @Matches(/^https?:\/\//, { message: 'IDENTITY_JWKS_URL must be an http(s) URL' })
  IDENTITY_JWKS_URL = 'http://127.0.0.1:3001/.well-known/jwks.json';

  /**
   * Port of the metrics listener (`/metrics`, Prometheus), bound to HTTP_HOST and apart from the
   * public listener; 0: the service's own port + 1000 (the gateway 4000, identity 4001, ...; an
   * app built in-process by a test gets an ephemeral port).
   */
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 0;

  /** Shared secret for operator-only endpoints (DLQ); empty: those endpoints are disabled. */
  @IsOptional()
  @IsString()
  OPERATOR_TOKEN = '';
}

export class DatabaseEnv extends BaseServiceEnv {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/leadflow';

  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE = 10;

  /** Longest a statement may run, in ms (0: no limit); a slower one fails and answers 503. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

  /** Longest a statement may wait for a lock, in ms (0: no limit); then it fails and answers 503. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DATABASE_LOCK_TIMEOUT_MS = 10_000;
}

/** Settings of a service that owns a schema and talks over Kafka. */
export class MessagingServiceEnv extends DatabaseEnv {
  /** Comma-separated `host:port` list. */
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Prepended to every topic name (tests use a fresh prefix per run). */
  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, . _ -' })
  KAFKA_TOPIC_PREFIX = '';

  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS = 3;

  @IsInt()
  @Min(1)
  @Max(7)
  KAFKA_REPLICATION_FACTOR = 1;

  /** Fallback poll of the outbox when no NOTIFY arrives. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 500;

  /** Bytes (uncompressed) of one relay send at most; a single larger row is still sent alone. */
  @IsInt()
  @Min(16 * 1024)
  @Max(64 * 1024 * 1024)
  OUTBOX_MAX_BATCH_BYTES = 512 * 1024;

  /**
   * Largest serialized event the outbox accepts (bigger ones are refused at write time: 413
   * `event_too_large`). Keep it below the broker's `message.max.bytes` / the topics'
   * `max.message.bytes` (Kafka's default is ~1 MiB).
   */
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  OUTBOX_MAX_EVENT_BYTES = 900 * 1024;

  /** Sent outbox rows older than this are pruned. */
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  OUTBOX_RETENTION_HOURS = 72;

  /** Attempts of a failing handler before its message goes to the DLQ. */
  @IsInt()
  @Min(1)
  @Max(50)
  CONSUMER_MAX_ATTEMPTS = 5;

  @IsInt()
  @Min(10)
  @Max(60_000)
  CONSUMER_RETRY_BASE_MS = 200;
}
