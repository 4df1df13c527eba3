import { Topics } from '@leadflow/contracts';
import { eventually } from '@leadflow/platform/testing';
import { parse } from 'csv-parse/sync';
import type { ConsumedEvent, Registered } from './stack';
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

let phoneSeq = 0;
/** A fresh, structurally valid US number in a vendor's format: (512) 63X-XXXX. */
const nextPhone = (): string => {
  const n = phoneSeq++;
  return `(512) 63${Math.floor(n / 10_000) % 10}-${String(n % 10_000).padStart(4, '0')}`;
};
const e164 = (formatted: string): string => `+1${formatted.replace(/\D/g, '')}`;

/**
 * Contacts, pipeline stages and lead exports through the gateway, against identity, ingestion,
 * PostgreSQL and Kafka: leads arrive as vendors post them.
 */
describe('CRM: contacts, pipeline stages, lead export (gateway + identity + ingestion)', () => {
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
    const hook = await api<Created>(
      'POST',
      '/api/v1/webhooks',
      { name: 'Vendor', workspaceId, vertical: 'generic', rateLimit: 100_000, rateWindowSeconds: 3600 },
      who.accessToken,
    );
    expect(hook.status).toBe(201);
    const prov = await api<CreatedProvider>(
      'POST',
      '/api/v1/providers',
      { name: 'Vendor Co' },
      who.accessToken,
    );
    expect(prov.status).toBe(201);
    return { webhook: hook.body, provider: prov.body };
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
    });
  });
});
