import type { MixedList } from 'typeorm';
import { DataSource } from 'typeorm';
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
}

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
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 },
  });
}

/**
 * Creates the schema if needed and runs pending migrations, each in its own transaction,
 * under an advisory lock so that replicas starting together migrate once.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`migrate:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`migrate:${schema}`]);
    }
  } finally {
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
