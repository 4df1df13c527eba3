import { Topics } from '@leadflow/contracts';
import { e164, eventually, phoneSequence } from '@leadflow/platform/testing';
import { parse } from 'csv-parse/sync';
import type { ConsumedEvent, Registered } from './stack';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack } from './stack';

interface Created {
  id: string;
}
interface CreatedProvider extends Created {
  apiKey: string;
}
interface IntakeBody {
  leadId: string;
  contactId: string;
  status: string;
}
interface Contact {
  id: string;
  workspaceId: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  city: string | null;
  zip: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  leadCount?: number;
}
interface Lead {
  id: string;
  contactId: string;
  status: string;
  contactAttempts?: number;
  updatedAt?: string;
  assignedTo?: string | null;
  priority?: number;
}
interface Provider {
  id: string;
  costPerLead: string | null;
}
interface Envelope {
  type: string;
  aggregateId: string;
  payload: { changed: string[]; lead: { id: string; updatedAt: string } };
}
interface Stage {
  id: string;
  workspaceId: string;
  name: string;
  position: number;
  winProbability: number;
  active: boolean;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Problem {
  status: number;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}

/** A fresh, structurally valid US number in a vendor's format: (512) 63X-XXXX. */
const nextPhone = phoneSequence('512', '63');
/** A cursor as the API writes one (base64url JSON), with whatever a tamperer put in it. */
const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Contacts, pipeline stages, lead exports, lead timelines and providers through the gateway, against
 * identity, ingestion, PostgreSQL and Kafka: leads arrive as vendors post them.
 */
describe('CRM: contacts, pipeline stages, lead export, timeline, providers (gateway + identity + ingestion)', () => {
  const stack = new IntakeStack('crm', { basePort: 14300 });
  let owner: Registered;
  let other: Registered;
  let events: ConsumedEvent[];
  let webhook: Created;
  let provider: CreatedProvider;

  const api = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    auth: string | { apiKey: string } = owner.accessToken,
  ) =>
    typeof auth === 'string'
      ? stack.call<T>(method, path, { body, token: auth })
      : stack.call<T>(method, path, { body, headers: { 'X-Api-Key': auth.apiKey } });

  const setUp = async (
    who: Registered,
    workspaceId = who.workspace.id,
  ): Promise<{ webhook: Created; provider: CreatedProvider }> => {
    const hook = await webhooks.createWebhook<Created>(stack, who, { workspaceId, vertical: 'generic' });
    const prov = await providers.createProvider<CreatedProvider>(stack, who);
    return { webhook: hook, provider: prov };
  };

  const postLead = async (
    body: Record<string, unknown>,
    via: { webhook: Created; provider: CreatedProvider } = { webhook, provider },
  ): Promise<IntakeBody> => {
    const res = await stack.call<IntakeBody>('POST', `/webhooks/leads/${via.webhook.id}`, {
      body,
      headers: { 'X-Provider-Id': via.provider.id, 'X-Provider-Key': via.provider.apiKey },
    });
    expect([200, 201]).toContain(res.status);
    return res.body;
  };

  const expectProblem = (
    res: { status: number; body: unknown; headers: Headers },
    status: number,
    code: string,
    field?: { field: string; rule: string },
  ): void => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = res.body as Problem;
    expect(problem.code).toBe(code);
    if (field) expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining(field)]));
  };

  const exportCsv = async (query: string, auth: string | { apiKey: string } = owner.accessToken) => {
    const res = await api('GET', `/api/v1/exports/leads${query}`, undefined, auth);
    const rows = res.status === 200 ? (parse(res.text, { columns: true }) as Record<string, string>[]) : [];
    return { res, rows };
  };

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('cora');
    other = await stack.register('otto');
    events = await stack.consume([Topics.ingestionContacts, Topics.ingestionLeads]);
    ({ webhook, provider } = await setUp(owner));
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  describe('contacts', () => {
    let dana: IntakeBody;
    let reyes: IntakeBody;
    let reyesRepeat: IntakeBody;
    const danaPhone = nextPhone();
    const reyesPhone = nextPhone();

    beforeAll(async () => {
      dana = await postLead({ firstName: 'Dana', phone: danaPhone, externalId: 'c-1' });
      reyes = await postLead({
        firstName: 'Rita',
        lastName: 'Reyes',
        phone: reyesPhone,
        email: 'rita.reyes@example.com',
        address: '12 Oak Lane',
        city: 'Austin',
        state: 'TX',
        zip: '78701',
        externalId: 'c-2',
      });
      reyesRepeat = await postLead({ firstName: 'Rita', phone: reyesPhone, externalId: 'c-3' });
      expect(reyesRepeat.contactId).toBe(reyes.contactId);
      expect(dana.contactId).not.toBe(reyes.contactId);
    });

    it('finds contacts by phone in any format, by name, e-mail and tag, newest first with a cursor', async () => {
      const byPhone = await api<Page<Contact>>(
        'GET',
        `/api/v1/contacts?phone=${encodeURIComponent(`1-${reyesPhone.replace(/\D/g, '').replace(/(\d{3})(\d{3})/, '$1.$2.')}`)}`,
      );
      expect(byPhone.status).toBe(200);
      expect(byPhone.body.items.map((c) => c.id)).toEqual([reyes.contactId]);
      expect(byPhone.body.items[0]).toMatchObject({ phone: e164(reyesPhone), lastName: 'Reyes' });

      const digits = danaPhone.replace(/\D/g, '').slice(3);
      const byDigits = await api<Page<Contact>>('GET', `/api/v1/contacts?q=${encodeURIComponent(digits)}`);
      expect(byDigits.body.items.map((c) => c.id)).toEqual([dana.contactId]);

      const byName = await api<Page<Contact>>('GET', '/api/v1/contacts?q=rita%20rey');
      expect(byName.body.items.map((c) => c.id)).toEqual([reyes.contactId]);

      const byEmail = await api<Page<Contact>>('GET', '/api/v1/contacts?email=RITA.REYES@example.com');
      expect(byEmail.body.items.map((c) => c.id)).toEqual([reyes.contactId]);

      const first = await api<Page<Contact>>('GET', '/api/v1/contacts?limit=1');
      expect(first.body.items.map((c) => c.id)).toEqual([reyes.contactId]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api<Page<Contact>>(
        'GET',
        `/api/v1/contacts?limit=1&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
      );
      expect(second.body.items.map((c) => c.id)).toEqual([dana.contactId]);
    });

    it('answers 400 problem+json naming the cursor to a tampered cursor on the lead and contact lists', async () => {
      const issued = (await api<Page<Contact>>('GET', '/api/v1/contacts?limit=1')).body.nextCursor ?? '';
      const [at, id] = JSON.parse(Buffer.from(issued, 'base64url').toString('utf8')) as [string, string];
      const tampered = [
        'garbage',
        `${issued.slice(0, -4)}!!`,
        cursorOf([at, `${id.slice(0, -1)}x`]),
        cursorOf([at, "' OR 1=1 --"]),
        cursorOf(['2026-02-30T10:00:00.000Z', id]),
        cursorOf(['Mon, 23 Nov 2026 10:00:00 GMT', id]),
        cursorOf(['+275760-09-13T00:00:00.000Z', id]),
      ];
      for (const path of ['/api/v1/leads', '/api/v1/contacts']) {
        expect((await api('GET', `${path}?cursor=${encodeURIComponent(issued)}`)).status).toBe(200);
        for (const cursor of tampered) {
          expectProblem(
            await api('GET', `${path}?cursor=${encodeURIComponent(cursor)}`),
            400,
            'invalid_cursor',
            {
              field: 'cursor',
              rule: 'isCursor',
            },
          );
        }
      }
    });

    it('corrects a contact, replaces its tags, merges custom fields, audits it and emits contact.updated', async () => {
      const res = await api<Contact>('PATCH', `/api/v1/contacts/${dana.contactId}`, {
        lastName: ' Diaz ',
        tags: ['solar', ' hot ', 'HOT'],
        customFields: { roof: 'tile', source: 'fair' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        firstName: 'Dana',
        lastName: 'Diaz',
        tags: ['solar', 'hot'],
        customFields: { roof: 'tile', source: 'fair' },
        leadCount: 1,
      });
      const again = await api<Contact>('PATCH', `/api/v1/contacts/${dana.contactId}`, {
        tags: ['solar'],
        customFields: { source: null },
      });
      expect(again.body).toMatchObject({ tags: ['solar'], customFields: { roof: 'tile' } });

      const byTag = await api<Page<Contact>>('GET', '/api/v1/contacts?tag=solar');
      expect(byTag.body.items.map((c) => c.id)).toEqual([dana.contactId]);

      await api('PATCH', `/api/v1/contacts/${reyes.contactId}`, {
        tags: ['vip'],
        customFields: { roof: 'metal', budget: 20000 },
      });
      expect(
        await stack.count(
          `SELECT count(*) AS n FROM ingestion.audit_log WHERE action = 'contact.updated' AND target_id = $1`,
          [dana.contactId],
        ),
      ).toBe(2);
      await eventually(
        async () => events.filter((e) => e.envelope.type === 'contact.updated' && e.key === dana.contactId),
        (found) => found.some((e) => (e.envelope.payload.lastName as string) === 'Diaz'),
        { what: 'contact.updated' },
      );
    });

    it('refuses invalid changes with the field and rule', async () => {
      expectProblem(
        await api('PATCH', `/api/v1/contacts/${dana.contactId}`, { email: 'not-an-email' }),
        422,
        'validation_failed',
        { field: 'email', rule: 'isEmail' },
      );
      expectProblem(
        await api('PATCH', `/api/v1/contacts/${dana.contactId}`, { tags: 'vip' }),
        422,
        'validation_failed',
        { field: 'tags', rule: 'isArray' },
      );
      expectProblem(
        await api('PATCH', `/api/v1/contacts/${dana.contactId}`, { phone: '+15550000000' }),
        422,
        'validation_failed',
        { field: 'phone', rule: 'unknownField' },
      );
      expectProblem(await api('GET', '/api/v1/contacts?limit=500'), 422, 'validation_failed', {
        field: 'limit',
        rule: 'max',
      });
    });

    it('merges a contact into another: leads move, blanks fill, tags unite, the source disappears', async () => {
      const res = await api<Contact>('POST', `/api/v1/contacts/${dana.contactId}/merge`, {
        sourceContactId: reyes.contactId,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: dana.contactId,
        firstName: 'Dana',
        lastName: 'Diaz',
        phone: e164(danaPhone),
        email: 'rita.reyes@example.com',
        address: '12 Oak Lane',
        city: 'Austin',
        zip: '78701',
        tags: ['solar', 'vip'],
        customFields: { roof: 'tile', budget: 20000 },
        leadCount: 3,
      });

      expectProblem(await api('GET', `/api/v1/contacts/${reyes.contactId}`), 404, 'not_found');
      const list = await api<Page<Contact>>('GET', '/api/v1/contacts');
      expect(list.body.items.map((c) => c.id)).toEqual([dana.contactId]);

      const leads = await api<Page<Lead>>('GET', `/api/v1/contacts/${dana.contactId}/leads`);
      expect(leads.status).toBe(200);
      expect(leads.body.items.map((l) => l.id).sort()).toEqual(
        [dana.leadId, reyes.leadId, reyesRepeat.leadId].sort(),
      );
      expect(leads.body.items.every((l) => l.contactId === dana.contactId)).toBe(true);

      expect(
        await stack.count(
          `SELECT count(*) AS n FROM ingestion.lead_activities
            WHERE title = 'Contact merged' AND type = 'update' AND lead_id = ANY($1::uuid[])`,
          [[reyes.leadId, reyesRepeat.leadId]],
        ),
      ).toBe(2);
      expect(
        await stack.count(
          `SELECT count(*) AS n FROM ingestion.audit_log WHERE action = 'contact.merged' AND target_id = $1`,
          [dana.contactId],
        ),
      ).toBe(1);

      const merged = await eventually(
        async () => events.filter((e) => e.envelope.type === 'contact.merged'),
        (found) => found.length === 1,
        { what: 'contact.merged' },
      );
      expect(merged[0]).toMatchObject({
        topic: Topics.ingestionContacts,
        key: dana.contactId,
        envelope: { payload: { mergedContactId: reyes.contactId, movedLeads: 2 } },
      });
      const moved = await eventually(
        async () =>
          events.filter(
            (e) => e.envelope.type === 'lead.updated' && [reyes.leadId, reyesRepeat.leadId].includes(e.key),
          ),
        (found) => found.length === 2,
        { what: 'lead.updated for the moved leads' },
      );
      for (const e of moved) {
        expect(e.envelope.payload).toMatchObject({
          changed: ['contactId'],
          lead: { contactId: dana.contactId },
        });
      }
    });

    it('refuses merging a contact into itself (422), an already merged one (409) and unknown ones (404)', async () => {
      expectProblem(
        await api('POST', `/api/v1/contacts/${dana.contactId}/merge`, { sourceContactId: dana.contactId }),
        422,
        'contact_self_merge',
        { field: 'sourceContactId', rule: 'different_contact' },
      );
      expectProblem(
        await api('POST', `/api/v1/contacts/${dana.contactId}/merge`, { sourceContactId: reyes.contactId }),
        409,
        'contact_already_merged',
      );
      expectProblem(
        await api('POST', `/api/v1/contacts/${reyes.contactId}/merge`, { sourceContactId: dana.contactId }),
        404,
        'not_found',
      );
      expectProblem(
        await api('POST', `/api/v1/contacts/${dana.contactId}/merge`, { sourceContactId: 'nope' }),
        422,
        'validation_failed',
        { field: 'sourceContactId', rule: 'isUuid' },
      );
    });

    it("never shows or changes another organization's contacts (404)", async () => {
      const theirs = await setUp(other);
      const their = await postLead({ firstName: 'Olga', phone: nextPhone() }, theirs);

      for (const [method, path, body] of [
        ['GET', `/api/v1/contacts/${dana.contactId}`, undefined],
        ['GET', `/api/v1/contacts/${dana.contactId}/leads`, undefined],
        ['PATCH', `/api/v1/contacts/${dana.contactId}`, { firstName: 'Mallory' }],
        ['POST', `/api/v1/contacts/${their.contactId}/merge`, { sourceContactId: dana.contactId }],
      ] as const) {
        expectProblem(await api(method, path, body, other.accessToken), 404, 'not_found');
      }
      expectProblem(
        await api('POST', `/api/v1/contacts/${dana.contactId}/merge`, { sourceContactId: their.contactId }),
        404,
        'not_found',
      );
      const theirList = await api<Page<Contact>>('GET', '/api/v1/contacts', undefined, other.accessToken);
      expect(theirList.body.items.map((c) => c.id)).toEqual([their.contactId]);
      const mine = await api<Contact>('GET', `/api/v1/contacts/${dana.contactId}`);
      expect(mine.body).toMatchObject({ firstName: 'Dana', leadCount: 3 });
    });

    it('limits a workspace-limited key to the contacts and leads of its workspace', async () => {
      const ws = await api<Created>('POST', '/api/v1/workspaces', { name: 'Buyer team', kind: 'team' });
      expect(ws.status).toBe(201);
      const second = await setUp(owner, ws.body.id);
      const elsewhere = await postLead({ firstName: 'Wes', phone: nextPhone() }, second);
      const key = await api<{ key: string }>('POST', '/api/v1/api-keys', {
        name: 'first workspace reader',
        scopes: ['contacts:read', 'contacts:write', 'leads:read'],
        workspaceId: owner.workspace.id,
      });
      expect(key.status).toBe(201);
      const limited = { apiKey: key.body.key };

      const list = await api<Page<Contact>>('GET', '/api/v1/contacts', undefined, limited);
      expect(list.status).toBe(200);
      expect(list.body.items.map((c) => c.id)).toEqual([dana.contactId]);
      expectProblem(
        await api('GET', `/api/v1/contacts/${elsewhere.contactId}`, undefined, limited),
        404,
        'not_found',
      );
      expectProblem(
        await api(
          'POST',
          `/api/v1/contacts/${dana.contactId}/merge`,
          { sourceContactId: elsewhere.contactId },
          limited,
        ),
        404,
        'not_found',
      );
      const { rows } = await exportCsv('', limited);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.workspaceId === owner.workspace.id)).toBe(true);
      const all = await exportCsv(`?workspaceId=${ws.body.id}`);
      expect(all.rows.map((r) => r.id)).toEqual([elsewhere.leadId]);
    });
  });

  describe('pipeline stages', () => {
    const names = async (query = `?workspaceId=${owner.workspace.id}`): Promise<string[]> => {
      const res = await api<Page<Stage>>('GET', `/api/v1/pipeline-stages${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((s) => `${s.position}:${s.name}`);
    };
    const create = (body: Record<string, unknown>, auth: string | { apiKey: string } = owner.accessToken) =>
      api<Stage>('POST', '/api/v1/pipeline-stages', { workspaceId: owner.workspace.id, ...body }, auth);
    let won: Stage;

    it('appends stages by default, inserts at a position and keeps the order', async () => {
      for (const name of ['New', 'Contacted']) expect((await create({ name })).status).toBe(201);
      const wonRes = await create({ name: 'Won', winProbability: 100, description: 'Signed' });
      expect(wonRes.status).toBe(201);
      won = wonRes.body;
      expect(won).toMatchObject({ position: 3, winProbability: 100, active: true });
      const qualified = await create({ name: 'Qualified', position: 3, winProbability: 40 });
      expect(qualified.body.position).toBe(3);
      expect(await names()).toEqual(['1:New', '2:Contacted', '3:Qualified', '4:Won']);
    });

    it('refuses a duplicate name in the workspace, whatever its case (409)', async () => {
      expectProblem(await create({ name: ' new ' }), 409, 'duplicate_stage_name', {
        field: 'name',
        rule: 'unique',
      });
      expectProblem(
        await api('PATCH', `/api/v1/pipeline-stages/${won.id}`, { name: 'CONTACTED' }),
        409,
        'duplicate_stage_name',
      );
    });

    it('moves a stage and shifts the others, then deactivates one (leads keep it)', async () => {
      const moved = await api<Stage>('PATCH', `/api/v1/pipeline-stages/${won.id}`, {
        position: 1,
        name: 'Closed won',
      });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ position: 1, name: 'Closed won' });
      expect(await names()).toEqual(['1:Closed won', '2:New', '3:Contacted', '4:Qualified']);
      const back = await api<Stage>('PATCH', `/api/v1/pipeline-stages/${won.id}`, { position: 99 });
      expect(back.body.position).toBe(4);
      expect(await names()).toEqual(['1:New', '2:Contacted', '3:Qualified', '4:Closed won']);

      const del = await api('DELETE', `/api/v1/pipeline-stages/${won.id}`);
      expect(del.status).toBe(204);
      expect(await names()).toEqual(['1:New', '2:Contacted', '3:Qualified']);
      expect(await names(`?workspaceId=${owner.workspace.id}&includeInactive=true`)).toEqual([
        '1:New',
        '2:Contacted',
        '3:Qualified',
        '4:Closed won',
      ]);
      expect(
        await stack.count(`SELECT count(*) AS n FROM ingestion.audit_log WHERE target_id = $1`, [won.id]),
      ).toBe(4);
    });

    it('pages through stages with a cursor', async () => {
      const first = await api<Page<Stage>>('GET', '/api/v1/pipeline-stages?limit=2');
      expect(first.body.items.map((s) => s.name)).toEqual(['New', 'Contacted']);
      const next = await api<Page<Stage>>(
        'GET',
        `/api/v1/pipeline-stages?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
      );
      expect(next.body.items.map((s) => s.name)).toEqual(['Qualified']);
      expect(next.body.nextCursor).toBeNull();
    });

    it('answers 422 naming the field and rule, 403 to an agent-level key, 404 across tenants', async () => {
      expectProblem(await create({ name: 'Hot', winProbability: 101 }), 422, 'validation_failed', {
        field: 'winProbability',
        rule: 'max',
      });
      expectProblem(await api('POST', '/api/v1/pipeline-stages', { name: 'Hot' }), 422, 'validation_failed', {
        field: 'workspaceId',
        rule: 'isUuid',
      });
      expectProblem(await create({ name: '   ' }), 422, 'validation_failed', {
        field: 'name',
        rule: 'matches',
      });
      expectProblem(
        await create({ name: 'Hot', workspaceId: other.workspace.id }),
        422,
        'unknown_workspace',
        {
          field: 'workspaceId',
          rule: 'workspace_exists',
        },
      );

      const key = await api<{ key: string }>('POST', '/api/v1/api-keys', {
        name: 'agent-level writer',
        scopes: ['leads:read', 'leads:write'],
      });
      expect(key.status).toBe(201);
      expectProblem(await create({ name: 'Hot' }, { apiKey: key.body.key }), 403, 'insufficient_role');
      const readable = await api<Page<Stage>>('GET', '/api/v1/pipeline-stages', undefined, {
        apiKey: key.body.key,
      });
      expect(readable.status).toBe(200);

      expectProblem(
        await api('PATCH', `/api/v1/pipeline-stages/${won.id}`, { name: 'Mine' }, other.accessToken),
        404,
        'not_found',
      );
      expectProblem(
        await api('DELETE', `/api/v1/pipeline-stages/${won.id}`, undefined, other.accessToken),
        404,
        'not_found',
      );
      const theirs = await api<Page<Stage>>('GET', '/api/v1/pipeline-stages', undefined, other.accessToken);
      expect(theirs.body.items).toEqual([]);
    });
  });

  describe('lead export', () => {
    let evil: IntakeBody;

    beforeAll(async () => {
      evil = await postLead({
        firstName: 'Eve',
        phone: nextPhone(),
        email: 'eve@example.com',
        utm_source: 'google',
        utm_campaign: '=HYPERLINK("http://evil.example","x")',
        externalId: 'x-1',
      });
    });

    it('streams the caller’s leads as CSV, with formula-like cells neutralized', async () => {
      const { res, rows } = await exportCsv('');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(res.text.split('\n')[0]).toBe(
        'id,createdAt,status,vertical,workspaceId,providerId,webhookId,externalId,firstName,lastName,phone,email,' +
          'address,city,state,zip,tags,priority,cost,currency,consentGranted,contactablePhone,contactableSms,' +
          'contactableEmail,utmSource,utmMedium,utmCampaign',
      );
      const total = await stack.count(
        'SELECT count(*) AS n FROM ingestion.leads WHERE organization_id = $1',
        [owner.organization.id],
      );
      expect(rows).toHaveLength(total);
      const row = rows.find((r) => r.id === evil.leadId);
      expect(row).toMatchObject({
        firstName: 'Eve',
        email: 'eve@example.com',
        vertical: 'generic',
        webhookId: webhook.id,
        providerId: provider.id,
        externalId: 'x-1',
        utmSource: 'google',
        utmCampaign: `'=HYPERLINK("http://evil.example","x")`,
      });
      expect(row?.phone).toMatch(/^\+1\d{10}$/);

      const theirs = await exportCsv('', other.accessToken);
      expect(theirs.rows.some((r) => r.id === evil.leadId)).toBe(false);
    });

    it('filters by status, webhook, provider, vertical and creation time', async () => {
      const duplicates = await exportCsv('?status=duplicate');
      expect(duplicates.rows.length).toBeGreaterThan(0);
      expect(duplicates.rows.every((r) => r.status === 'duplicate')).toBe(true);
      const byWebhook = await exportCsv(`?webhookId=${webhook.id}&providerId=${provider.id}`);
      expect(byWebhook.rows.length).toBeGreaterThan(0);
      expect(byWebhook.rows.every((r) => r.webhookId === webhook.id)).toBe(true);
      expect((await exportCsv('?vertical=hvac')).rows).toEqual([]);
      const past = await exportCsv('?createdTo=2000-01-01T00:00:00Z');
      expect(past.res.status).toBe(200);
      expect(past.rows).toEqual([]);
      const recent = await exportCsv(
        `?createdFrom=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
      );
      expect(recent.rows.some((r) => r.id === evil.leadId)).toBe(true);
    });

    it('takes the lead list’s filters (stage, assignee, tag, contact, q) and audits each export', async () => {
      const stage = await api<Stage>('POST', '/api/v1/pipeline-stages', {
        workspaceId: owner.workspace.id,
        name: 'Exported',
      });
      expect(stage.status).toBe(201);
      const patched = await api('PATCH', `/api/v1/leads/${evil.leadId}`, {
        stageId: stage.body.id,
        assignedTo: owner.user.id,
        tags: ['export-me'],
      });
      expect(patched.status).toBe(200);
      const everyone = await exportCsv('');
      expect(everyone.rows.length).toBeGreaterThan(1);

      for (const query of [
        `?stage=${stage.body.id}`,
        `?assignedTo=${owner.user.id}`,
        '?tag=export-me',
        `?contactId=${evil.contactId}`,
        '?q=eve',
        `?q=eve&tag=export-me&stage=${stage.body.id}&workspaceId=${owner.workspace.id}`,
      ]) {
        const { res, rows } = await exportCsv(query);
        expect(res.status).toBe(200);
        expect(rows.map((r) => r.id)).toEqual([evil.leadId]);
        const listed = await api<Page<Lead>>('GET', `/api/v1/leads${query}`);
        expect(listed.body.items.map((l) => l.id)).toEqual([evil.leadId]);
      }
      expect((await exportCsv('?tag=export-me&status=duplicate')).rows).toEqual([]);
      expect((await exportCsv('?q=nobody-here')).rows).toEqual([]);

      const { rows: audited } = await stack.db.query<{
        actor_type: string;
        actor_id: string;
        details: { filters: Record<string, string>; rowCount: number | null };
      }>(
        `SELECT actor_type, actor_id, details FROM ingestion.audit_log
          WHERE action = 'lead.exported' AND organization_id = $1 AND details->'filters'->>'tag' = 'export-me'
          ORDER BY created_at, id`,
        [owner.organization.id],
      );
      expect(audited).toHaveLength(3);
      expect(audited[0]).toMatchObject({
        actor_type: 'user',
        actor_id: owner.user.id,
        details: { filters: { tag: 'export-me', createdTo: expect.any(String) }, rowCount: 1 },
      });
      expect(audited[2]?.details).toMatchObject({
        filters: { tag: 'export-me', status: 'duplicate' },
        rowCount: 0,
      });
      const unfiltered = await stack.db.query<{ details: { filters: object; rowCount: number } }>(
        `SELECT details FROM ingestion.audit_log
          WHERE action = 'lead.exported' AND organization_id = $1 AND NOT details->'filters' ? 'q'
            AND NOT details->'filters' ? 'tag' AND NOT details->'filters' ? 'stage'
            AND NOT details->'filters' ? 'assignedTo' AND NOT details->'filters' ? 'contactId'
            AND NOT details->'filters' ? 'status' AND NOT details->'filters' ? 'vertical'
            AND NOT details->'filters' ? 'workspaceId' AND NOT details->'filters' ? 'webhookId'
          ORDER BY created_at DESC, id DESC LIMIT 1`,
        [owner.organization.id],
      );
      expect(unfiltered.rows[0]?.details).toEqual({
        filters: { createdTo: expect.any(String) },
        rowCount: everyone.rows.length,
      });
    });

    it('reads in keyset batches: more than one batch of leads with the same creation time, each once', async () => {
      const [{ id: contactId }] = (
        await stack.db.query<{ id: string }>(
          'SELECT id FROM ingestion.contacts WHERE organization_id = $1 AND merged_into_id IS NULL LIMIT 1',
          [owner.organization.id],
        )
      ).rows;
      await stack.db.query(
        `INSERT INTO ingestion.leads (id, organization_id, workspace_id, contact_id, channel, source_key, vertical,
            status, status_changed_at, contactable_phone, contactable_sms, contactable_email, created_at, updated_at)
         SELECT gen_random_uuid(), $1, $2, $3, 'api', 'bulk', 'b2b', 'new', t, false, false, false, t, t
           FROM generate_series(1, 2100), (SELECT '2020-01-01T00:00:00Z'::timestamptz AS t) AS at`,
        [owner.organization.id, owner.workspace.id, contactId],
      );
      const { res, rows } = await exportCsv('?vertical=b2b&createdTo=2020-01-02T00:00:00Z');
      expect(res.status).toBe(200);
      expect(rows).toHaveLength(2100);
      expect(new Set(rows.map((r) => r.id)).size).toBe(2100);
      const audited = await stack.db.query<{ details: { rowCount: number | null } }>(
        `SELECT details FROM ingestion.audit_log
          WHERE action = 'lead.exported' AND organization_id = $1 AND details->'filters'->>'vertical' = 'b2b'`,
        [owner.organization.id],
      );
      // More than one batch: the export is not read twice to count it.
      expect(audited.rows.map((r) => r.details.rowCount)).toEqual([null]);
    });

    it('refuses invalid filters with problem+json 422 naming the field and rule, before any CSV', async () => {
      const bad = async (query: string, field: string, rule: string, code = 'validation_failed') => {
        const { res } = await exportCsv(query);
        expectProblem(res, 422, code, { field, rule });
        expect(res.headers.get('content-disposition')).toBeNull();
      };
      await bad('?status=bogus', 'status', 'isIn');
      await bad('?vertical=boats', 'vertical', 'isIn');
      await bad('?workspaceId=nope', 'workspaceId', 'isUuid');
      await bad('?createdFrom=yesterday', 'createdFrom', 'isIso8601');
      await bad(
        '?createdFrom=2025-02-01T00:00:00Z&createdTo=2025-01-01T00:00:00Z',
        'createdFrom',
        'range',
        'invalid_export_range',
      );
      await bad('?format=xlsx', 'format', 'unknownField');
      await bad('?stage=nope', 'stage', 'isUuid');
      await bad('?contactId=nope', 'contactId', 'isUuid');
      await bad('?limit=10', 'limit', 'unknownField');
      await bad('?cursor=abc', 'cursor', 'unknownField');
    });
  });

  describe('lead assignment', () => {
    it('assigns a lead only to a member of its organization, from the users identity announced (422 naming assignedTo)', async () => {
      const { leadId } = await postLead({ firstName: 'Ada', phone: nextPhone() });
      // Another organization's user: refused after the short wait for a user still on the way.
      expectProblem(
        await api('PATCH', `/api/v1/leads/${leadId}`, { assignedTo: other.user.id, priority: 5 }),
        422,
        'invalid_assignee',
        { field: 'assignedTo', rule: 'member_exists' },
      );
      const untouched = await api<Lead>('GET', `/api/v1/leads/${leadId}`);
      expect(untouched.body).toMatchObject({ assignedTo: null, priority: 3 });

      const assigned = await api<Lead>('PATCH', `/api/v1/leads/${leadId}`, { assignedTo: owner.user.id });
      expect(assigned.status).toBe(200);
      expect(assigned.body.assignedTo).toBe(owner.user.id);
      const { rows } = await stack.db.query<{
        role: string;
        active: boolean;
        workspace_ids: string[] | null;
      }>(`SELECT role, active, workspace_ids FROM ingestion.users WHERE id = $1 AND organization_id = $2`, [
        owner.user.id,
        owner.organization.id,
      ]);
      expect(rows).toEqual([{ role: 'owner', active: true, workspace_ids: null }]);
    });
  });

  describe('lead timeline', () => {
    const leadUpdatedInOutbox = async (leadId: string): Promise<Envelope[]> => {
      const { rows } = await stack.db.query<{ value: string }>(
        `SELECT value FROM ingestion.outbox WHERE type = 'lead.updated' AND message_key = $1 ORDER BY seq`,
        [leadId],
      );
      return rows.map((r) => JSON.parse(r.value) as Envelope);
    };

    it('emits lead.updated through the outbox for a note and for a logged call or meeting', async () => {
      const { leadId } = await postLead({ firstName: 'Tim', phone: nextPhone() });
      expect(await leadUpdatedInOutbox(leadId)).toEqual([]);

      const note = await api('POST', `/api/v1/leads/${leadId}/notes`, { body: 'Wants a quote in May' });
      expect(note.status).toBe(201);
      const call = await api('POST', `/api/v1/leads/${leadId}/activities`, {
        type: 'call',
        title: 'First call',
      });
      expect(call.status).toBe(201);
      const meeting = await api('POST', `/api/v1/leads/${leadId}/activities`, {
        type: 'meeting',
        title: 'Site visit',
      });
      expect(meeting.status).toBe(201);
      expectProblem(
        await api('POST', `/api/v1/leads/${leadId}/activities`, { type: 'fax', title: 'Nope' }),
        422,
        'validation_failed',
        { field: 'type', rule: 'isIn' },
      );

      const emitted = await leadUpdatedInOutbox(leadId);
      expect(emitted.map((e) => e.payload.changed)).toEqual([
        ['notes'],
        ['activities', 'contactAttempts'],
        ['activities'],
      ]);
      expect(emitted.every((e) => e.aggregateId === leadId && e.payload.lead.id === leadId)).toBe(true);
      const lead = await api<Lead>('GET', `/api/v1/leads/${leadId}`);
      expect(lead.body.contactAttempts).toBe(1);
      expect(emitted[2]?.payload.lead.updatedAt).toBe(lead.body.updatedAt);
      await eventually(
        async () => events.filter((e) => e.envelope.type === 'lead.updated' && e.key === leadId),
        (found) => found.length === 3,
        { what: 'lead.updated for the note and activities' },
      );
    });
  });

  describe('providers', () => {
    it('takes costPerLead as a JSON number or a decimal string and answers it as stored ("12.50")', async () => {
      const created = await api<Provider>('POST', '/api/v1/providers', {
        name: 'Numeric',
        costPerLead: 12.5,
      });
      expect(created.status).toBe(201);
      expect(created.body.costPerLead).toBe('12.50');
      const id = created.body.id;
      const read = async (): Promise<string | null> =>
        (await api<Provider>('GET', `/api/v1/providers/${id}`)).body.costPerLead;
      expect(await read()).toBe('12.50');

      for (const [given, stored] of [
        [7, '7.00'],
        ['7.0', '7.00'],
        [0.1, '0.10'],
        ['0018.5', '18.50'],
        [9_999_999_999.99, '9999999999.99'],
        [0, '0.00'],
      ] as const) {
        const res = await api<Provider>('PATCH', `/api/v1/providers/${id}`, { costPerLead: given });
        expect(res.status).toBe(200);
        expect(res.body.costPerLead).toBe(stored);
        expect(await read()).toBe(stored);
      }
      // 7 and "7.0" are the same amount: one change, one audit entry.
      expect(
        await stack.count(
          `SELECT count(*) AS n FROM ingestion.audit_log WHERE action = 'provider.updated' AND target_id = $1`,
          [id],
        ),
      ).toBe(5);
      const cleared = await api<Provider>('PATCH', `/api/v1/providers/${id}`, { costPerLead: null });
      expect(cleared.body.costPerLead).toBeNull();

      for (const bad of [-1, -0.01, 12.345, 1e10, 1e21, '12.345', '-0.5', '1e3', '', true, [12]]) {
        for (const res of [
          await api('POST', '/api/v1/providers', { name: 'Bad cost', costPerLead: bad }),
          await api('PATCH', `/api/v1/providers/${id}`, { costPerLead: bad }),
        ]) {
          expectProblem(res, 422, 'validation_failed', { field: 'costPerLead', rule: 'matches' });
        }
      }
      expect(await read()).toBeNull();
    });
  });
});
