import { eventually } from '@leadflow/platform/testing';
import type { LeadPayload } from '@leadflow/contracts';
import { LeadCreated } from '@leadflow/contracts';
import type { Producer } from 'kafkajs';
import type { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { identitySuite } from './identity-under-test';

const OPERATOR = 'operator-token-identity-test';

/** Plans (operator changes, owner requests) and the monthly lead usage counted from ingestion's events. */
describe('identity service: plans and lead usage (built process, real PostgreSQL and Kafka)', () => {
  const identity = identitySuite('identity_plans');
  const { events, call, register, count } = identity;
  let db: Client;
  let producer: Producer | undefined;

  beforeAll(async () => {
    await identity.start();
    db = identity.db;
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await identity.stop();
  });

  describe('plans: changed by the operator, requested by owners', () => {
    const asOperator = { 'X-Operator-Token': OPERATOR };
    interface OrganizationBody {
      plan: string;
      quotas: Record<string, number | null>;
      pendingPlanRequest: {
        id: string;
        plan: string;
        requestedAt: string;
        requestedBy: { type: string; id: string };
      } | null;
    }
    const pendingOf = async (token: string): Promise<OrganizationBody['pendingPlanRequest']> => {
      const res = await call<OrganizationBody>('GET', '/api/v1/organizations/current', { token });
      expect(res.status).toBe(200);
      return res.body.pendingPlanRequest;
    };
    interface PlanRequestBody {
      id: string;
      organizationId: string;
      fromPlan: string;
      plan: string;
      note: string | null;
      status: string;
      requestedBy: { type: string; id: string };
      decisionReason: string | null;
    }
    interface AuditBody {
      items: {
        action: string;
        actor: { type: string; id: string | null };
        details: Record<string, unknown>;
      }[];
    }
    const planOf = async (organizationId: string): Promise<string> =>
      (
        await db.query<{ plan: string }>('SELECT plan FROM identity.organizations WHERE id = $1', [
          organizationId,
        ])
      ).rows[0].plan;

    it('refuses a plan in the owner’s PATCH with 422 naming plan and the request route; nothing changes', async () => {
      const owner = await register('planpatch');
      const token = owner.accessToken;
      for (const plan of ['enterprise', 'pro', 'platinum', null]) {
        const res = await call('PATCH', '/api/v1/organizations/current', { token, body: { plan } });
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body).toMatchObject({
          errors: [
            {
              field: 'plan',
              rule: 'changedByOperator',
              message: expect.stringContaining('POST /api/v1/organizations/current/plan-requests'),
            },
          ],
        });
      }
      // With a valid name beside it, the whole body is refused: the name is not stored either.
      const mixed = await call('PATCH', '/api/v1/organizations/current', {
        token,
        body: { name: 'Renamed', plan: 'enterprise' },
      });
      expect(mixed.status).toBe(422);
      const current = await call<OrganizationBody & { name: string }>(
        'GET',
        '/api/v1/organizations/current',
        {
          token,
        },
      );
      expect(current.body).toMatchObject({ plan: 'free', name: 'planpatch Leads', quotas: { leads: 500 } });
      expect(await planOf(owner.organization.id)).toBe('free');
      const log = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.updated', { token });
      expect(log.body.items).toHaveLength(0);
      // Renaming alone still works.
      const renamed = await call('PATCH', '/api/v1/organizations/current', {
        token,
        body: { name: 'Renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed', plan: 'free' });
    });

    it('lets the operator set a plan: quotas follow at once, organization.updated is published, audited with before/after', async () => {
      const owner = await register('planop');
      const path = `/api/v1/organization-plans/${owner.organization.id}`;
      // Tenants' tokens never qualify; a wrong or absent operator token is refused; nothing changes.
      expect((await call('PUT', path, { token: owner.accessToken, body: { plan: 'pro' } })).status).toBe(401);
      expect((await call('PUT', path, { body: { plan: 'pro' } })).status).toBe(401);
      expect(
        (await call('PUT', path, { headers: { 'X-Operator-Token': `${OPERATOR}x` }, body: { plan: 'pro' } }))
          .status,
      ).toBe(401);
      expect(await planOf(owner.organization.id)).toBe('free');

      const bad = await call('PUT', path, { headers: asOperator, body: { plan: 'platinum' } });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ errors: [{ field: 'plan', rule: 'isIn' }] });
      const unknown = await call('PUT', `/api/v1/organization-plans/${uuidv7()}`, {
        headers: asOperator,
        body: { plan: 'pro' },
      });
      expect(unknown.status).toBe(404);

      const set = await call<OrganizationBody>('PUT', path, {
        headers: asOperator,
        body: { plan: 'pro', reason: 'signed contract' },
      });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ plan: 'pro', quotas: { leads: 25_000 } });
      const current = await call<OrganizationBody>('GET', '/api/v1/organizations/current', {
        token: owner.accessToken,
      });
      expect(current.body).toMatchObject({ plan: 'pro', quotas: { leads: 25_000 } });
      const event = await eventually(
        async () =>
          events.find((e) => e.envelope.type === 'organization.updated' && e.key === owner.organization.id),
        Boolean,
        { what: 'organization.updated on the organizations topic' },
      );
      expect(event?.envelope.payload).toMatchObject({ plan: 'pro', quotas: set.body.quotas });

      const log = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.plan_changed', {
        token: owner.accessToken,
      });
      expect(log.body.items).toHaveLength(1);
      expect(log.body.items[0]).toMatchObject({
        actor: { type: 'operator', id: null },
        details: {
          before: { plan: 'free', quotas: { leads: 500 } },
          after: { plan: 'pro', quotas: { leads: 25_000 } },
          reason: 'signed contract',
        },
      });
      // Setting the plan it already has changes nothing and audits nothing.
      expect((await call('PUT', path, { headers: asOperator, body: { plan: 'pro' } })).status).toBe(200);
      const again = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.plan_changed', {
        token: owner.accessToken,
      });
      expect(again.body.items).toHaveLength(1);
    });

    it('takes an owner’s request (one pending at a time); the operator approves it and the plan changes, audited', async () => {
      const owner = await register('planreq');
      const other = await register('planreq-other');
      const token = owner.accessToken;
      const requests = '/api/v1/organizations/current/plan-requests';

      const same = await call('POST', requests, { token, body: { plan: 'free' } });
      expect(same.status).toBe(422);
      expect(same.body).toMatchObject({ errors: [{ field: 'plan', rule: 'differsFromCurrentPlan' }] });
      const invalid = await call('POST', requests, { token, body: { plan: 'platinum' } });
      expect(invalid.status).toBe(422);
      expect(await count('plan_requests')).toBe(0);
      expect(await pendingOf(token)).toBeNull();

      const created = await call<PlanRequestBody>('POST', requests, {
        token,
        body: { plan: 'enterprise', note: 'we are growing' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        organizationId: owner.organization.id,
        fromPlan: 'free',
        plan: 'enterprise',
        note: 'we are growing',
        status: 'pending',
        requestedBy: { type: 'user', id: owner.user.id },
      });
      expect(await planOf(owner.organization.id)).toBe('free');
      const stored = await db.query<{ created_at: Date }>(
        'SELECT created_at FROM identity.plan_requests WHERE id = $1',
        [created.body.id],
      );
      expect(await pendingOf(token)).toEqual({
        id: created.body.id,
        plan: 'enterprise',
        requestedAt: stored.rows[0].created_at.toISOString(),
        requestedBy: { type: 'user', id: owner.user.id },
      });
      // Another organization's view does not show it.
      expect(await pendingOf(other.accessToken)).toBeNull();
      const second = await call('POST', requests, { token, body: { plan: 'pro' } });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'plan_request_pending' });
      expect(await count('plan_requests')).toBe(1);

      const own = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>('GET', requests, {
        token,
      });
      expect(own.body.items.map((r) => r.id)).toEqual([created.body.id]);
      expect(own.body.nextCursor).toBeNull();
      // Another organization neither lists nor reads it.
      const theirs = await call<{ items: PlanRequestBody[] }>('GET', requests, { token: other.accessToken });
      expect(theirs.body.items).toEqual([]);
      expect((await call('GET', `${requests}/${created.body.id}`, { token: other.accessToken })).status).toBe(
        404,
      );
      expect((await call('GET', `${requests}/${created.body.id}`, { token })).status).toBe(200);

      // The operator's queue and decisions: the operator token only.
      const approve = `/api/v1/plan-requests/${created.body.id}/approve`;
      expect((await call('POST', approve, { token, body: {} })).status).toBe(401);
      expect((await call('GET', '/api/v1/plan-requests', { token })).status).toBe(401);
      expect(
        (await call('POST', `/api/v1/plan-requests/${uuidv7()}/approve`, { headers: asOperator, body: {} }))
          .status,
      ).toBe(404);
      const queue = await call<{ items: PlanRequestBody[] }>('GET', '/api/v1/plan-requests?limit=200', {
        headers: asOperator,
      });
      expect(queue.status).toBe(200);
      expect(queue.body.items.map((r) => r.id)).toContain(created.body.id);
      expect(queue.body.items.every((r) => r.status === 'pending')).toBe(true);

      const approved = await call<PlanRequestBody>('POST', approve, {
        headers: asOperator,
        body: { reason: 'contract signed' },
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', decisionReason: 'contract signed' });
      const current = await call<OrganizationBody>('GET', '/api/v1/organizations/current', { token });
      expect(current.body).toMatchObject({
        plan: 'enterprise',
        quotas: { leads: null },
        pendingPlanRequest: null,
      });
      const event = await eventually(
        async () =>
          events.find(
            (e) =>
              e.envelope.type === 'organization.updated' &&
              e.key === owner.organization.id &&
              e.envelope.payload.plan === 'enterprise',
          ),
        Boolean,
        { what: 'organization.updated with the approved plan' },
      );
      expect(event?.envelope.payload).toMatchObject({ quotas: { leads: null } });
      // Decided once: approving or declining again is a conflict; it left the operator's queue.
      expect((await call('POST', approve, { headers: asOperator, body: {} })).status).toBe(409);
      expect(
        (
          await call('POST', `/api/v1/plan-requests/${created.body.id}/decline`, {
            headers: asOperator,
            body: {},
          })
        ).status,
      ).toBe(409);
      const after = await call<{ items: PlanRequestBody[] }>('GET', '/api/v1/plan-requests?limit=200', {
        headers: asOperator,
      });
      expect(after.body.items.map((r) => r.id)).not.toContain(created.body.id);

      const log = await call<AuditBody>('GET', '/api/v1/audit-log?limit=200', { token });
      const actions = log.body.items.map((e) => `${e.action}:${e.actor.type}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          'plan_request.created:user',
          'plan_request.approved:operator',
          'organization.plan_changed:operator',
        ]),
      );
      const changed = log.body.items.find((e) => e.action === 'organization.plan_changed');
      expect(changed?.details).toMatchObject({
        before: { plan: 'free' },
        after: { plan: 'enterprise' },
        requestId: created.body.id,
      });

      // A new request is accepted once none is pending; declining it leaves the plan as it is.
      const next = await call<PlanRequestBody>('POST', requests, { token, body: { plan: 'pro' } });
      expect(next.status).toBe(201);
      expect(next.body.fromPlan).toBe('enterprise');
      expect(await pendingOf(token)).toMatchObject({ id: next.body.id, plan: 'pro' });
      const declined = await call<PlanRequestBody>('POST', `/api/v1/plan-requests/${next.body.id}/decline`, {
        headers: asOperator,
        body: { reason: 'not now' },
      });
      expect(declined.status).toBe(200);
      expect(declined.body.status).toBe('declined');
      expect(await planOf(owner.organization.id)).toBe('enterprise');
      expect(await pendingOf(token)).toBeNull();
      const pendingOnly = await call<{ items: PlanRequestBody[] }>('GET', `${requests}?status=declined`, {
        token,
      });
      expect(pendingOnly.body.items.map((r) => r.id)).toEqual([next.body.id]);
    });

    it('keeps one pending request per organization when owners ask at the same time, and pages the list', async () => {
      const owner = await register('planrace');
      const token = owner.accessToken;
      const requests = '/api/v1/organizations/current/plan-requests';
      const answers = await Promise.all(
        ['pro', 'enterprise', 'pro', 'enterprise', 'pro'].map((plan) =>
          call('POST', requests, { token, body: { plan } }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
      const pending = await db.query(
        `SELECT id FROM identity.plan_requests WHERE organization_id = $1 AND status = 'pending'`,
        [owner.organization.id],
      );
      expect(pending.rowCount).toBe(1);

      // Decline it and ask again: two rows, listed oldest first, one per page with limit=1.
      const first = String(pending.rows[0].id);
      expect(
        (await call('POST', `/api/v1/plan-requests/${first}/decline`, { headers: asOperator, body: {} }))
          .status,
      ).toBe(200);
      const second = await call<PlanRequestBody>('POST', requests, { token, body: { plan: 'pro' } });
      expect(second.status).toBe(201);
      const page1 = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>(
        'GET',
        `${requests}?limit=1`,
        { token },
      );
      expect(page1.body.items.map((r) => r.id)).toEqual([first]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>(
        'GET',
        `${requests}?limit=1&cursor=${page1.body.nextCursor}`,
        { token },
      );
      expect(page2.body.items.map((r) => r.id)).toEqual([second.body.id]);
      expect(page2.body.nextCursor).toBeNull();
    });
  });

  it('counts leads per organization and month (UTC) from lead.created, once per event id', async () => {
    const owner = await register('usage');
    const token = owner.accessToken;
    const thisMonth = new Date().toISOString().slice(0, 7);
    const empty = await call<{ quotas: Record<string, unknown>; usage: Record<string, unknown> }>(
      'GET',
      '/api/v1/organizations/current',
      { token },
    );
    expect(empty.status).toBe(200);
    expect(empty.body.quotas).toMatchObject({ leads: 500 });
    expect(empty.body.usage).toEqual({
      period: thisMonth,
      leads: 0,
      enrichments: 0,
      emails: 0,
      sms: 0,
      callMinutes: 0,
    });

    // ingestion's events, as its outbox relay publishes them: keyed by the lead, so they stay in order.
    const leadId = uuidv7();
    const lead = (organizationId: string, at: string): LeadPayload => ({
      id: leadId,
      organizationId,
      workspaceId: owner.workspace.id,
      contactId: uuidv7(),
      vertical: 'solar',
      status: 'new',
      channel: 'webhook',
      attributes: {},
      consent: { granted: true },
      contactable: { phone: true, sms: true, email: false },
      tracking: {},
      priority: 1,
      tags: [],
      createdAt: at,
      updatedAt: at,
    });
    const leadCreated = (
      id: string,
      occurredAt: string,
      organizationId = owner.organization.id,
    ): Record<string, unknown> => ({
      id,
      type: LeadCreated.type,
      version: LeadCreated.version,
      occurredAt,
      source: 'ingestion',
      organizationId,
      workspaceId: owner.workspace.id,
      aggregateId: leadId,
      correlationId: uuidv7(),
      payload: lead(organizationId, occurredAt),
    });
    producer = identity.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const publish = async (...envelopes: Record<string, unknown>[]): Promise<void> => {
      await producer?.send({
        topic: `${identity.prefix}${LeadCreated.topic}`,
        acks: -1,
        messages: envelopes.map((e) => ({ key: leadId, value: JSON.stringify(e) })),
      });
    };
    const now = new Date().toISOString();
    const first = leadCreated(uuidv7(), now);
    const lastMonth = new Date();
    lastMonth.setUTCDate(1);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    const earlier = leadCreated(uuidv7(), lastMonth.toISOString());
    const unknownOrganization = leadCreated(uuidv7(), now, uuidv7());
    const last = leadCreated(uuidv7(), now);
    await publish(first);
    await publish(first); // redelivered: same event id
    await publish(earlier, unknownOrganization, last);

    // One partition, in order: once the last event is in the inbox, every earlier one was handled.
    await eventually(
      async () =>
        (await db.query(`SELECT 1 FROM identity.inbox WHERE consumer = 'usage' AND event_id = $1`, [last.id]))
          .rowCount,
      (n) => n === 1,
      { what: 'the usage consumer to handle the last lead.created' },
    );
    const counted = await call<{ usage: { period: string; leads: number } }>(
      'GET',
      '/api/v1/organizations/current',
      { token },
    );
    expect(counted.body.usage).toMatchObject({ period: thisMonth, leads: 2, enrichments: 0 });
    const months = await db.query<{ period: string; leads: string }>(
      `SELECT to_char(period, 'YYYY-MM') AS period, leads FROM identity.organization_usage
        WHERE organization_id = $1 ORDER BY period`,
      [owner.organization.id],
    );
    expect(months.rows).toEqual([
      { period: lastMonth.toISOString().slice(0, 7), leads: '1' },
      { period: thisMonth, leads: '2' },
    ]);
    // A lead of an organization identity does not have is dead-lettered, not counted anywhere.
    await eventually(
      async () =>
        (
          await db.query(`SELECT error_kind FROM identity.dead_letters WHERE event_id = $1`, [
            unknownOrganization.id,
          ])
        ).rows,
      (rows) => rows.length === 1,
      { what: 'the unknown organization event in the DLQ' },
    );
    expect(
      (
        await db.query(`SELECT 1 FROM identity.organization_usage WHERE organization_id = $1`, [
          unknownOrganization.organizationId,
        ])
      ).rowCount,
    ).toBe(0);
  });
});
