import { defineEvent } from '@leadflow/contracts';
import type { OutboxWriter } from '@leadflow/platform/messaging';
import { IsString } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { AuditLog } from './audit-log';
import type { AuditRecord } from './audit-record';
import { ChangeRecorder } from './change-recorder';

class NotePayload {
  @IsString()
  text!: string;
}
const Noted = defineEvent({ type: 'test.noted', version: 1, topic: 'test.notes.v1', payload: NotePayload });
const event = { contract: Noted, aggregateId: 'agg-1', organizationId: 'org-1', payload: { text: 'hi' } };
const record = (action: string): AuditRecord => ({
  organizationId: 'org-1',
  actor: { type: 'system', id: null },
  action,
});

/** What each collaborator was asked, in order (the SQL itself is the integration spec's). */
function recorder(withOutbox: boolean): { changes: ChangeRecorder; calls: string[] } {
  const calls: string[] = [];
  const audit = {
    record: (_tx: EntityManager, r: AuditRecord) => Promise.resolve(void calls.push(`audit ${r.action}`)),
  } as unknown as AuditLog;
  const outbox = {
    add: (_tx: EntityManager, events: unknown[]) => {
      calls.push(`outbox ${events.length}`);
      return Promise.resolve([]);
    },
  } as unknown as OutboxWriter;
  return { changes: new ChangeRecorder(audit, withOutbox ? outbox : undefined), calls };
}

describe('ChangeRecorder', () => {
  const tx = {} as EntityManager;

  it('adds the events in one outbox call, then each audit entry', async () => {
    const { changes, calls } = recorder(true);
    await changes.record(tx, { events: [event, event], audit: [record('a'), record('b')] });
    expect(calls).toEqual(['outbox 2', 'audit a', 'audit b']);
  });

  it('records an audit entry alone, or events alone', async () => {
    const { changes, calls } = recorder(true);
    await changes.record(tx, { audit: record('a') });
    await changes.record(tx, { events: [event] });
    await changes.record(tx, { events: [] });
    expect(calls).toEqual(['audit a', 'outbox 1']);
  });

  it('in a service without messaging: audit entries only, events refused', async () => {
    const { changes, calls } = recorder(false);
    await changes.record(tx, { audit: record('a') });
    await expect(changes.record(tx, { events: [event] })).rejects.toThrow(/no messaging/);
    expect(calls).toEqual(['audit a']);
  });
});
