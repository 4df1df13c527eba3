import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent } from '@leadflow/platform/persistence';

/** The NOTIFY channel the relay of a schema listens on. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * Creates the messaging tables in a service's schema: `outbox` (events waiting to be published),
 * `inbox` (events a consumer already applied) and `dead_letters` (a browsable copy of the
 * service's DLQ topic). Every service's first migration calls this.
 */
export async function createMessagingTables(runner: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await runner.query(`
    CREATE TABLE ${s}.outbox (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL UNIQUE,
      topic text NOT NULL,
      message_key text NOT NULL CHECK (message_key <> ''),
      type text NOT NULL,
      value text NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`);
  await runner.query(`CREATE INDEX outbox_unsent_idx ON ${s}.outbox (seq) WHERE sent_at IS NULL`);
  await runner.query(`CREATE INDEX outbox_sent_at_idx ON ${s}.outbox (sent_at) WHERE sent_at IS NOT NULL`);
  await runner.query(`
    CREATE FUNCTION ${s}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${outboxChannel(schema)}', '');
      RETURN NULL;
    END $$`);
  await runner.query(
    `CREATE TRIGGER outbox_notify AFTER INSERT ON ${s}.outbox FOR EACH STATEMENT EXECUTE FUNCTION ${s}.outbox_notify()`,
  );
  await runner.query(`
    CREATE TABLE ${s}.inbox (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      topic text NOT NULL,
      kafka_partition integer NOT NULL,
      kafka_offset bigint NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`);
  await runner.query(`
    CREATE TABLE ${s}.dead_letters (
      id uuid PRIMARY KEY,
      dlq_partition integer NOT NULL,
      dlq_offset bigint NOT NULL,
      consumer text NOT NULL,
      original_topic text NOT NULL,
      original_partition integer,
      original_offset bigint,
      message_key text NOT NULL,
      value text,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text NOT NULL,
      error_kind text NOT NULL,
      attempts integer NOT NULL,
      event_id text,
      event_type text,
      failed_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      replay_count integer NOT NULL DEFAULT 0,
      last_replayed_at timestamptz,
      UNIQUE (dlq_partition, dlq_offset)
    )`);
  await runner.query(`CREATE INDEX dead_letters_failed_idx ON ${s}.dead_letters (failed_at, id)`);
}

export async function dropMessagingTables(runner: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await runner.query(`DROP TABLE IF EXISTS ${s}.dead_letters`);
  await runner.query(`DROP TABLE IF EXISTS ${s}.inbox`);
  await runner.query(`DROP TABLE IF EXISTS ${s}.outbox`);
  await runner.query(`DROP FUNCTION IF EXISTS ${s}.outbox_notify()`);
}

/**
 * The first migration of every service: its messaging tables. Each service commits one line,
 * `export const MessagingTables1763900000000 = messagingTablesMigration('<schema>')`.
 */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  return class MessagingTables1763900000000 implements MigrationInterface {
    name = 'MessagingTables1763900000000';

    up(runner: QueryRunner): Promise<void> {
      return createMessagingTables(runner, schema);
    }

    down(runner: QueryRunner): Promise<void> {
      return dropMessagingTables(runner, schema);
    }
  };
}
