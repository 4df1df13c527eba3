import type { Principal } from '@leadflow/platform/auth';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { auditEntryOf } from './audit-log';
import { AuditLogQuery } from './audit-log.query';
import { actorOf } from './audit-record';
import { auditTableMigration } from './audit-table';
import { toAuditEntryView } from './audit-entry.view';

describe('audit log', () => {
  const principal: Principal = {
    kind: 'api_key',
    id: '0192f1d2-8c4e-7b3a-9f00-1234567890ab',
    organizationId: '0192f1d2-8c4e-7b3a-9f00-0000000000aa',
    role: 'agent',
    scopes: [],
    tokenId: 't',
  };

  it('names the actor of a principal by its kind and id', () => {
    expect(actorOf(principal)).toEqual({ type: 'api_key', id: principal.id });
  });

  it('turns a record into an entry and the entry into its view', () => {
    const now = new Date('2026-11-23T10:00:00.123Z');
    const entry = auditEntryOf(
      {
        organizationId: principal.organizationId,
        actor: actorOf(principal),
        action: 'webhook.created',
        target: { type: 'webhook', id: 'w1' },
        client: { ip: '203.0.113.9', userAgent: 'curl/8' },
        details: { name: 'Solar feed' },
        workspaceIds: ['5f0c6a9e-0000-4000-8000-000000000001'],
      },
      now,
    );
    expect(entry.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(toAuditEntryView(entry)).toEqual({
      id: entry.id,
      actor: { type: 'api_key', id: principal.id },
      action: 'webhook.created',
      target: { type: 'webhook', id: 'w1' },
      ip: '203.0.113.9',
      userAgent: 'curl/8',
      details: { name: 'Solar feed' },
      workspaceIds: ['5f0c6a9e-0000-4000-8000-000000000001'],
      createdAt: '2026-11-23T10:00:00.123Z',
    });
    const bare = auditEntryOf(
      { organizationId: null, actor: { type: 'system', id: null }, action: 'x.y' },
      now,
    );
    expect(toAuditEntryView(bare)).toMatchObject({
      target: null,
      ip: null,
      userAgent: null,
      details: {},
      workspaceIds: null,
    });
  });

  it('validates the list query: page bounds and an action name', () => {
    const errors = (query: Record<string, unknown>): string[] =>
      validateSync(plainToInstance(AuditLogQuery, query)).map((e) => e.property);
    expect(errors({})).toEqual([]);
    expect(plainToInstance(AuditLogQuery, {}).limit).toBe(50);
    expect(errors({ limit: '200', action: 'auth.login_failed', cursor: 'abc' })).toEqual([]);
    expect(errors({ limit: '201' })).toEqual(['limit']);
    expect(errors({ action: 'DROP TABLE' })).toEqual(['action']);
  });

  it('gives each service a migration named with a timestamp (TypeORM requires one)', () => {
    const Migration = auditTableMigration('ingestion');
    expect(new Migration().name).toBe('AuditTable1763900000050');
    expect(Number(new Migration().name?.slice(-13))).toBeGreaterThan(1_700_000_000_000);
  });
});
