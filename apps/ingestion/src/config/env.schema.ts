import { MessagingServiceEnv } from '@leadflow/platform/config';
import { DEV_SECRETS_ENCRYPTION_KEY, IsSecretsEncryptionKey } from '@leadflow/platform/secrets';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Settings of the ingestion service (shared ones are documented on MessagingServiceEnv). */
export class IngestionEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  INGESTION_PORT = 3002;

  /** `production` forbids development defaults (the dev encryption key). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  /** Seals webhook signing secrets at rest (SecretBox key setting `id:base64(32 bytes)[,...]`). */
  @IsString()
  @IsSecretsEncryptionKey()
  SECRETS_ENCRYPTION_KEY = DEV_SECRETS_ENCRYPTION_KEY;

  /** Redis for intake rate limits, provider hourly limits, quotas and signature replay checks. */
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key ingestion writes (lets several platforms share one Redis). */
  @IsString()
  REDIS_KEY_PREFIX = 'lf:';

  /** Base URL vendors post to (the gateway's public address); webhook answers show `<base>/webhooks/leads/<id>`. */
  @Matches(/^https?:\/\/[^/]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) origin without a path' })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** How far a `LeadFlow-Signature` timestamp may be from now, in seconds. */
  @IsInt()
  @Min(30)
  @Max(3600)
  SIGNATURE_TOLERANCE_SECONDS = 300;

  /** How long the previous webhook secret stays valid after a rotation, in hours. */
  @IsInt()
  @Min(0)
  @Max(720)
  WEBHOOK_SECRET_GRACE_HOURS = 24;

  /**
   * Webhook posts are stored in batches: the posts of one webhook that arrive while earlier ones
   * are being written share the next transaction (group commit). At most this many per batch.
   */
  @IsInt()
  @Min(1)
  @Max(500)
  INTAKE_BATCH_MAX_LEADS = 100;

  /**
   * Intake batches written at the same time, each on its own database connection. One writer
   * makes the largest batches (the posts that arrive while a batch is written form the next), the
   * cheapest per lead; more let other webhooks' posts go on while a batch waits for locks (e.g. an
   * import of the same people).
   */
  @IsInt()
  @Min(1)
  @Max(32)
  INTAKE_WRITERS = 1;

  /**
   * Posts (and their bodies' bytes) that may wait for a batch on one replica. Past either, a post
   * is refused with 503 and Retry-After instead of growing the heap while the database is slow.
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  INTAKE_QUEUE_MAX_POSTS = 5_000;

  @IsInt()
  @Min(1_048_576)
  @Max(4_294_967_296)
  INTAKE_QUEUE_MAX_BYTES = 67_108_864;

  /** A post still waiting for its batch this long after it arrived is refused with 503. */
  @IsInt()
  @Min(100)
  @Max(300_000)
  INTAKE_POST_DEADLINE_MS = 15_000;

  /**
   * Days the request log keeps each post's body (refused posts keep at most 8 KB, 401s none);
   * older posts keep their row without the body.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  INTAKE_REQUEST_BODY_RETENTION_DAYS = 30;

  /** Days the request log keeps a post's row (outcome, codes; provider usage reads these). */
  @IsInt()
  @Min(1)
  @Max(3650)
  INTAKE_REQUEST_RETENTION_DAYS = 400;

  /** How often the request log's retention runs, in seconds. */
  @IsInt()
  @Min(1)
  @Max(86_400)
  INTAKE_REQUEST_PRUNE_INTERVAL_SECONDS = 300;

  /** Where uploaded CSV files are kept while they are imported. */
  @IsString()
  IMPORT_DIR = 'tmp/imports';

  /** Largest accepted CSV upload, in bytes (1 GB). */
  @IsInt()
  @Min(1024)
  IMPORT_MAX_BYTES = 1024 * 1024 * 1024;
}
