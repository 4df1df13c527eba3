import type { Principal } from '@leadflow/platform/auth';
import { createTestDatabase, dropTestDatabase } from '@leadflow/platform/testing';
import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '../src';
import { compileAuditModule } from './audit-test-module';

/**
 * The audit log as a service other than identity uses it: the migration creates `<schema>.audit_log`,
 * AuditModule provides AuditLog, entries are written inside the caller's transaction (a rollback
 * leaves none) and listed per organization, newest first, by cursor, filtered by action.
 */
describe('platform audit log (real PostgreSQL)', () => {
  const schema = 'audit_probe';
  let url: string;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let audit: AuditLog;
  const org = randomUUID();
  const principal = (organizationId: string): Principal => ({
    kind: 'user',
    id: randomUUID(),
    organizationId,
    role: 'admin',
    scopes: [],
    tokenId: randomUUID(),
  });

  beforeAll(async () => {
    url = await createTestDatabase('audit');
    moduleRef = await compileAuditModule(url, schema);
    dataSource = moduleRef.get(DataSource);
    audit = moduleRef.get(AuditLog);
  });

  afterAll(async () => {
    await moduleRef?.close();
    if (url) await dropTestDatabase(url);
  });

  it('creates the table and its indexes in the service schema', async () => {
    const indexes = await dataSource.query<{ indexname: string }[]>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'audit_log' ORDER BY 1`,
      [schema],
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      'audit_log_org_action',
      'audit_log_org_page',
      'audit_log_pkey',
    ]);
  });

  it('records inside the caller transaction and lists the organization entries newest first', async () => {
    const admin = principal(org);
    for (let i = 0; i < 5; i++) {
      await dataSource.transaction((tx) =>
        audit.record(tx, {
          organizationId: org,
          actor: { type: i % 2 ? 'provider' : 'system', id: i % 2 ? randomUUID() : null },
          action: i % 2 ? 'lead.received' : 'import.finished',
          target: { type: 'lead', id: `lead-${i}` },
          client: { ip: '203.0.113.1', userAgent: null },
          details: { n: i },
        }),
      );
    }
    await dataSource.transaction((tx) =>
      audit.record(tx, {
        organizationId: randomUUID(),
        actor: { type: 'system', id: null },
        action: 'other.org',
      }),
    );
    await expect(
      dataSource.transaction(async (tx) => {
        await audit.record(tx, {
          organizationId: org,
          actor: { type: 'system', id: null },
          action: 'rolled.back',
        });
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');

    const first = await audit.list(admin, { limit: 3 });
    expect(first.items.map((e) => e.details.n)).toEqual([4, 3, 2]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await audit.list(admin, { limit: 3, cursor: first.nextCursor as string });
    expect(second.items.map((e) => e.details.n)).toEqual([1, 0]);
    expect(second.nextCursor).toBeNull();
    const received = await audit.list(admin, { limit: 10, action: 'lead.received' });
    expect(received.items.map((e) => e.target)).toEqual([
      { type: 'lead', id: 'lead-3' },
      { type: 'lead', id: 'lead-1' },
    ]);
    expect(received.items[0].actor.type).toBe('provider');
    expect((await audit.list(principal(randomUUID()), { limit: 10 })).items).toHaveLength(0);
  });
});
