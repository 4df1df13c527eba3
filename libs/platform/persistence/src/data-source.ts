import type { MixedList } from 'typeorm';
import { DataSource, MigrationExecutor } from 'typeorm';
import { ensureDatabase, quoteIdent } from './database';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema; every table of the service lives there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  poolSize?: number;
  applicationName?: string;
  /**
   * Longest a statement may run, and longest it may wait for a lock, in ms (0: no limit). Every
   * connection of the pool carries them, so a blocked or runaway query fails (SQLSTATE 57014 /
   * 55P03, answered as a 503) instead of holding a connection and everyone queued behind it.
   * Migrations run without them.
   */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
}

/** Defaults of `statementTimeoutMs` and `lockTimeoutMs` (DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_LOCK_TIMEOUT_MS). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** The table (inside the service's schema) that records which migrations ran. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** A service's one DataSource: its own schema and migrations table, never `synchronize`. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    applicationName: options.applicationName ?? options.schema,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      lock_timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    },
  });
}

/**
 * Creates the schema if it does not exist and runs pending migrations, each in its own transaction,
 * under an advisory lock so that replicas starting together migrate once.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // A migration may rewrite a big table, and a replica waits here for another's migrations.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET lock_timeout = 0');
    await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`migrate:${schema}`]);
    try {
      // A deployment's service role owns its schema (created for it, deploy/postgres) and may not
      // create schemas: CREATE SCHEMA IF NOT EXISTS needs that right even when the schema exists.
      const found = (await runner.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
        schema,
      ])) as unknown[];
      if (found.length === 0) await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const ran = await executor.executePendingMigrations();
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`migrate:${schema}`]);
    }
  } finally {
    // Back to the pool's limits for whoever gets this connection next.
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.query('RESET lock_timeout').catch(() => undefined);
    await runner.release();
  }
}

/** Creates the database if missing, connects, and migrates the schema. */
export async function openServiceDataSource(options: ServiceDataSourceOptions): Promise<DataSource> {
  await ensureDatabase(options.url);
  const dataSource = createServiceDataSource(options);
  await dataSource.initialize();
  try {
    await migrateSchema(dataSource, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
