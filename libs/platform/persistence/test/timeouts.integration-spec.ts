import { answerProblem, databaseFaultOf } from '@leadflow/platform/errors';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { ServiceDataSourceOptions } from '../src';
import { dropDatabase, openServiceDataSource } from '../src';
import { createTestDatabase } from './test-database';

/** The driver's error of a failed statement: its SQLSTATE and message. */
async function failureOf(statement: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await statement;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code, message };
  }
  throw new Error('the statement was expected to fail');
}

/**
 * DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_LOCK_TIMEOUT_MS become the pool's `statement_timeout`
 * and `lock_timeout` (createServiceDataSource): a statement that runs too long, or waits too long
 * for a row lock, is cancelled by PostgreSQL itself, and the one HTTP error mapper answers it as a
 * 503 `database_busy` the client may retry. Migrations run without either limit.
 */
describe('statement and lock timeouts of a service DataSource (real PostgreSQL)', () => {
  let url: string;
  let admin: Client;
  const opened: DataSource[] = [];

  const open = async (
    options: Partial<ServiceDataSourceOptions>,
    schema = 'timeouts',
  ): Promise<DataSource> => {
    const ds = await openServiceDataSource({ url, schema, migrations: [], ...options });
    opened.push(ds);
    return ds;
  };

  beforeAll(async () => {
    url = await createTestDatabase('timeouts');
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query('CREATE SCHEMA IF NOT EXISTS timeouts');
    await admin.query('CREATE TABLE timeouts.rows (id int PRIMARY KEY, n int NOT NULL)');
    await admin.query('INSERT INTO timeouts.rows VALUES (1, 0)');
  });

  afterAll(async () => {
    for (const ds of opened) await ds.destroy();
    await admin.end();
    await dropDatabase(url);
  });

  it('sets the documented defaults (30 s, 10 s) on every pooled connection', async () => {
    const ds = await open({});
    expect(await ds.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '30s' }]);
    expect(await ds.query('SHOW lock_timeout')).toEqual([{ lock_timeout: '10s' }]);
  });

  it('cancels a statement that runs past statement_timeout (57014, a timeout fault)', async () => {
    const ds = await open({ statementTimeoutMs: 200, lockTimeoutMs: 0 });
    const failure = await failureOf(ds.query('SELECT pg_sleep(5)'));
    expect(failure).toEqual({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(databaseFaultOf(failure)).toBe('timeout');
    // A statement within the limit still runs on the same pool.
    expect(await ds.query('SELECT pg_sleep(0.01), 1 AS ok')).toEqual([{ pg_sleep: '', ok: 1 }]);
  });

  it('gives up waiting for a row lock past lock_timeout (55P03, a timeout fault); the row is unchanged', async () => {
    const ds = await open({ statementTimeoutMs: 3000, lockTimeoutMs: 200 });
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM timeouts.rows WHERE id = 1 FOR UPDATE');
      const failure = await failureOf(ds.query('UPDATE timeouts.rows SET n = n + 1 WHERE id = 1'));
      expect(failure).toEqual({ code: '55P03', message: 'canceling statement due to lock timeout' });
      expect(databaseFaultOf(failure)).toBe('timeout');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await admin.query('SELECT n FROM timeouts.rows WHERE id = 1')).rows).toEqual([{ n: 0 }]);
    // Once the lock is released the same statement goes through.
    await ds.query('UPDATE timeouts.rows SET n = n + 1 WHERE id = 1');
    expect((await admin.query('SELECT n FROM timeouts.rows WHERE id = 1')).rows).toEqual([{ n: 1 }]);
  });

  it('runs migrations without the limits, and the pooled connection gets them back afterwards', async () => {
    class SlowMigration1700000000001 implements MigrationInterface {
      name = 'SlowMigration1700000000001';
      async up(runner: QueryRunner): Promise<void> {
        await runner.query('SELECT pg_sleep(0.6)');
      }
      async down(): Promise<void> {}
    }
    // One connection: the one that migrated is the one the next statement gets.
    const ds = await open(
      { statementTimeoutMs: 200, lockTimeoutMs: 200, poolSize: 1, migrations: [SlowMigration1700000000001] },
      'timeouts_migrated',
    );
    const ran = await ds.query('SELECT name FROM timeouts_migrated.schema_migrations');
    expect(ran).toEqual([{ name: 'SlowMigration1700000000001' }]);
    expect(await ds.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '200ms' }]);
    expect((await failureOf(ds.query('SELECT pg_sleep(5)'))).code).toBe('57014');
  });

  describe('what an HTTP client sees (the one error mapper, answerProblem)', () => {
    let server: Server;
    let base: string;
    let holder: Client;

    beforeAll(async () => {
      const slow = await open({ statementTimeoutMs: 200, lockTimeoutMs: 0 });
      const locked = await open({ statementTimeoutMs: 3000, lockTimeoutMs: 200 });
      const silent = { error: (): void => undefined };
      server = createServer((req, res) => {
        const statement =
          req.url === '/slow'
            ? slow.query('SELECT pg_sleep(5)')
            : locked.query('UPDATE timeouts.rows SET n = n + 1 WHERE id = 1');
        statement.then(
          () => res.end('{}'),
          (error: unknown) => answerProblem(error, req, res, silent),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      holder = new Client({ connectionString: url });
      await holder.connect();
    });

    afterAll(async () => {
      await holder.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('answers a statement or lock timeout as 503 database_busy problem+json with Retry-After, not a 500', async () => {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM timeouts.rows WHERE id = 1 FOR UPDATE');
      try {
        for (const path of ['/slow', '/locked']) {
          const res = await fetch(`${base}${path}`);
          expect([path, res.status, res.headers.get('content-type'), res.headers.get('retry-after')]).toEqual(
            [path, 503, 'application/problem+json; charset=utf-8', '2'],
          );
          expect(await res.json()).toEqual({
            type: expect.any(String),
            title: expect.any(String),
            status: 503,
            code: 'database_busy',
            detail: 'The database did not answer in time; try again shortly',
            instance: path,
          });
        }
      } finally {
        await holder.query('ROLLBACK');
      }
    });
  });
});
