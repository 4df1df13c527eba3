import { InvitationCreated, LeadCreated, PasswordResetRequested } from '@leadflow/contracts';
import { InvalidEventError, parseEnvelope, validatePayload } from './event-validation';

const envelope = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: '0190f0a4-1111-7000-8000-000000000001',
  type: 'lead.created',
  version: 1,
  occurredAt: '2026-12-06T04:00:00.000Z',
  source: 'ingestion',
  organizationId: '0190f0a4-1111-7000-8000-0000000000c1',
  workspaceId: '0190f0a4-1111-7000-8000-0000000000a1',
  aggregateId: '0190f0a4-1111-7000-8000-0000000000d1',
  correlationId: 'req-1',
  payload: { id: 'not checked here', nested: { deep: [1, 2, 3] } },
  ...overrides,
});

const reasonOf = (value: string): string => {
  try {
    parseEnvelope(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return (error as Error).message;
  }
  throw new Error('expected the envelope to be refused');
};

describe('parseEnvelope', () => {
  it('validates the envelope and hands the payload over as parsed, unchecked and uncopied', () => {
    const parsed = parseEnvelope(Buffer.from(JSON.stringify(envelope())));
    expect(parsed).toMatchObject({ type: 'lead.created', version: 1, correlationId: 'req-1' });
    expect(parsed.payload).toEqual({ id: 'not checked here', nested: { deep: [1, 2, 3] } });
    // The payload's own contract is a separate check (validatePayload), for consumers that read it.
    expect(() => validatePayload(LeadCreated, parsed.payload)).toThrow(InvalidEventError);
  });

  it.each([
    ['no payload', { payload: undefined }, 'payload'],
    ['a null payload', { payload: null }, 'payload'],
    ['an array payload', { payload: [1] }, 'payload'],
    ['a string payload', { payload: 'x' }, 'payload'],
    ['a bad id', { id: 'nope' }, 'id'],
    ['a bad organization', { organizationId: 42 }, 'organizationId'],
    ['no version', { version: undefined }, 'version'],
    ['a loose date', { occurredAt: 'yesterday' }, 'occurredAt'],
  ])('refuses an envelope with %s, naming the field', (_name, overrides, field) => {
    expect(reasonOf(JSON.stringify(envelope(overrides)))).toMatch(
      new RegExp(`invalid envelope: .*\\b${field}:`),
    );
  });

  it('refuses what is not a JSON object', () => {
    expect(reasonOf('{not json')).toMatch(/not JSON/);
    expect(reasonOf('[1,2]')).toMatch(/not a JSON object/);
  });
});

describe('the mail-token contracts (user.invited, user.password_reset_requested)', () => {
  const invitation = {
    invitationId: '0190f0a4-1111-7000-8000-0000000000e1',
    email: 'ivy@example.com',
    role: 'agent',
    expiresAt: '2026-12-13T04:00:00.000Z',
  };
  const reset = {
    userId: '0190f0a4-1111-7000-8000-0000000000e2',
    email: 'ivy@example.com',
    name: 'Ivy',
    expiresAt: '2026-12-06T05:00:00.000Z',
  };

  it('are version 2 and carry the token sealed', () => {
    expect([InvitationCreated.version, PasswordResetRequested.version]).toEqual([2, 2]);
    expect(validatePayload(InvitationCreated, { ...invitation, sealedToken: 'v1.k1.a.b.c' })).toMatchObject({
      sealedToken: 'v1.k1.a.b.c',
    });
    expect(validatePayload(PasswordResetRequested, { ...reset, sealedToken: 'v1.k1.a.b.c' })).toMatchObject({
      sealedToken: 'v1.k1.a.b.c',
    });
  });

  it('refuse the version 1 shape, a token in clear without the sealed one', () => {
    expect(() => validatePayload(InvitationCreated, { ...invitation, token: 'clear' })).toThrow(
      /sealedToken/,
    );
    expect(() => validatePayload(PasswordResetRequested, { ...reset, token: 'clear' })).toThrow(
      /sealedToken/,
    );
  });
});
