import { defineEvent } from '@leadflow/contracts';
import { OutboxWriter, TopicNamer, messagingTablesMigration } from '@leadflow/platform/messaging';
import { createTestDatabase, dropTestDatabase } from '@leadflow/platform/testing';
import { Global, Module } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChangeRecorder } from '../src';
import { compileAuditModule } from './audit-test-module';

const schema = 'changes_probe';

class NotePayload {
  @IsString()
  text!: string;
}
const Noted = defineEvent({ type: 'test.noted', version: 1, topic: 'test.notes.v1', payload: NotePayload });

/** The outbox as MessagingModule provides it to a service (global). */
@Global()
@Module({
  providers: [{ provide: OutboxWriter, useValue: new OutboxWriter(schema, 'changes', new TopicNamer('t.')) }],
  exports: [OutboxWriter],
})
class ProbeOutboxModule {}

/**
 * A change's events and audit entries recorded in one call (ChangeRecorder): both inside the
 * caller's transaction, committed with it or rolled back with it.
 */
describe('ChangeRecorder (real PostgreSQL)', () => {
  let url: string;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let changes: ChangeRecorder;
  const org = randomUUID();

  beforeAll(async () => {
    url = await createTestDatabase('changes');
    moduleRef = await compileAuditModule(url, schema, {
      migrations: [messagingTablesMigration(schema)],
      imports: [ProbeOutboxModule],
    });
    dataSource = moduleRef.get(DataSource);
    changes = moduleRef.get(ChangeRecorder);
  });

  afterAll(async () => {
    await moduleRef?.close();
    if (url) await dropTestDatabase(url);
  });

  const recorded = async (aggregateId: string) => ({
    events: await dataSource.query<{ type: string; message_key: string }[]>(
      `SELECT type, message_key FROM ${schema}.outbox WHERE message_key = $1 ORDER BY seq`,
      [aggregateId],
    ),
    audit: await dataSource.query<{ action: string }[]>(
      `SELECT action FROM ${schema}.audit_log WHERE target_id = $1 ORDER BY action`,
      [aggregateId],
    ),
  });

  const changeOf = (aggregateId: string) => ({
    events: [1, 2].map((n) => ({
      contract: Noted,
      aggregateId,
      organizationId: org,
      payload: { text: `note ${n}` },
    })),
    audit: ['note.added', 'note.shared'].map((action) => ({
      organizationId: org,
      actor: { type: 'system' as const, id: null },
      action,
      target: { type: 'note', id: aggregateId },
    })),
  });

  it('commits the events and the audit entries with the change', async () => {
    const id = randomUUID();
    const envelopes = await dataSource.transaction((tx) => changes.record(tx, changeOf(id)));
    expect(envelopes.map((e) => e.aggregateId)).toEqual([id, id]);
    expect(await recorded(id)).toEqual({
      events: [
        { type: 'test.noted', message_key: id },
        { type: 'test.noted', message_key: id },
      ],
      audit: [{ action: 'note.added' }, { action: 'note.shared' }],
    });
  });

  it('leaves neither when the change rolls back', async () => {
    const id = randomUUID();
    await expect(
      dataSource.transaction(async (tx) => {
        await changes.record(tx, changeOf(id));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await recorded(id)).toEqual({ events: [], audit: [] });
  });

  it('records an audit entry alone (a change that announces no event)', async () => {
    const id = randomUUID();
    await dataSource.transaction((tx) => changes.record(tx, { audit: changeOf(id).audit[0] }));
    expect(await recorded(id)).toEqual({ events: [], audit: [{ action: 'note.added' }] });
  });

  it('refuses events outside a transaction (nothing stored that the change did not commit)', async () => {
    const id = randomUUID();
    await expect(changes.record(dataSource.manager, changeOf(id))).rejects.toThrow(/inside the transaction/);
    expect(await recorded(id)).toEqual({ events: [], audit: [] });
  });
});
