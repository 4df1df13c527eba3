import { defineEvent } from '@leadflow/contracts';
import { answerProblem } from '@leadflow/platform/errors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { IsString } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { EventTooLargeError, OutboxWriter } from './outbox.writer';
import { TopicNamer } from './topic-namer';

class NotePayload {
  @IsString()
  text!: string;
}

const Noted = defineEvent({ type: 'test.noted', version: 1, topic: 'test.notes.v1', payload: NotePayload });

const event = (text: string) => ({
  contract: Noted,
  aggregateId: 'agg-1',
  organizationId: '0190f0a4-1111-7000-8000-0000000000c1',
  payload: { text },
});

/** An open transaction that records the statements it is given (no database in a unit test). */
function recordingManager(): { manager: EntityManager; statements: string[] } {
  const statements: string[] = [];
  const manager = {
    queryRunner: { isTransactionActive: true },
    query: (sql: string) => {
      statements.push(sql);
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  return { manager, statements };
}

describe('OutboxWriter size cap', () => {
  const writer = new OutboxWriter('svc', 'svc', new TopicNamer(''), 4096);

  it('stores an event under the cap', async () => {
    const { manager, statements } = recordingManager();
    await writer.add(manager, [event('x'.repeat(1000))]);
    expect(statements.some((s) => s.includes('INSERT INTO "svc".outbox'))).toBe(true);
  });

  it('refuses an event over the cap before anything is stored, counting UTF-8 bytes', async () => {
    const { manager, statements } = recordingManager();
    // 1500 characters, 4500 bytes in UTF-8: over the cap although fewer characters than bytes.
    const error = await writer.add(manager, [event('x'), event('€'.repeat(1500))]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ code: 'event_too_large', eventType: 'test.noted', maxBytes: 4096 });
    expect((error as EventTooLargeError).bytes).toBeGreaterThan(4500);
    expect(statements).toEqual([]);
  });

  it('is answered 413 problem+json event_too_large by the shared mapping', () => {
    let error: unknown;
    try {
      writer.serialize(writer.envelope(event('y'.repeat(5000))));
    } catch (e) {
      error = e;
    }
    const headers: Record<string, string> = {};
    let body = '';
    const res = {
      headersSent: false,
      statusCode: 0,
      setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
      end: (text: string) => (body = text),
    } as unknown as ServerResponse;
    const req = { url: '/webhooks/leads/w1', headers: {} } as unknown as IncomingMessage;
    answerProblem(error, req, res, { error: () => undefined });
    expect(res.statusCode).toBe(413);
    expect(headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(body)).toMatchObject({ status: 413, code: 'event_too_large', maxBytes: 4096 });
  });
});
