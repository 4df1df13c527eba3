import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropDatabase, openServiceDataSource } from '../src';
import { createTestDatabase } from './test-database';

/**
 * A deployment gives each service a role that owns its schema and nothing else
 * (deploy/postgres/init-roles.sh, k8s CloudNativePG managed roles): the service still migrates
 * and starts as that role, and cannot read another service's schema.
 */
describe('a service running as its own database role (real PostgreSQL)', () => {
  const suffix = randomBytes(4).toString('hex');
  const own = `lf_role_${suffix}`;
  const other = `lf_other_${suffix}`;
  let url: string;
  let admin: Client;

  const as = (role: string): string => {
    const u = new URL(url);
    u.username = role;
    u.password = 'unused-with-trust-auth';
    return u.toString();
  };
  const tableMigration = (schema: string): new () => MigrationInterface =>
    class CreateKeys1700000000000 implements MigrationInterface {
      name = 'CreateKeys1700000000000';
      async up(runner: QueryRunner): Promise<void> {
        await runner.query(`CREATE TABLE "${schema}".signing_keys (id int PRIMARY KEY, sealed text)`);
        await runner.query(`INSERT INTO "${schema}".signing_keys VALUES (1, 'sealed-key')`);
      }
      async down(): Promise<void> {}
    };

  beforeAll(async () => {
    url = await createTestDatabase('roles');
    admin = new Client({ connectionString: url });
    await admin.connect();
    for (const role of [own, other]) {
      // what deploy/postgres/init-roles.sh does for each service
      await admin.query(`CREATE ROLE "${role}" LOGIN`);
      await admin.query(`CREATE SCHEMA "${role}" AUTHORIZATION "${role}"`);
    }
  });

  afterAll(async () => {
    await admin.end();
    await dropDatabase(url);
    const cleanup = new Client({ connectionString: new URL('/postgres', url).toString() });
    await cleanup.connect();
    for (const role of [own, other]) await cleanup.query(`DROP ROLE IF EXISTS "${role}"`);
    await cleanup.end();
  });

  it('migrates its own schema (twice: a restart) and cannot read another schema', async () => {
    const otherDs = await openServiceDataSource({
      url: as(other),
      schema: other,
      migrations: [tableMigration(other)],
    });
    await otherDs.destroy();

    for (let start = 0; start < 2; start++) {
      const ds = await openServiceDataSource({
        url: as(own),
        schema: own,
        migrations: [tableMigration(own)],
      });
      try {
        expect(await ds.query(`SELECT sealed FROM "${own}".signing_keys`)).toEqual([
          { sealed: 'sealed-key' },
        ]);
        await expect(ds.query(`SELECT sealed FROM "${other}".signing_keys`)).rejects.toThrow(
          /permission denied for schema/,
        );
        await expect(ds.query(`CREATE SCHEMA "x_${suffix}"`)).rejects.toThrow(
          /permission denied for database/,
        );
      } finally {
        await ds.destroy();
      }
    }
  });
});
