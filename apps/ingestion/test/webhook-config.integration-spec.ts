import { Topics } from '@leadflow/contracts';
import { e164, eventually, openedMailToken, phoneSequence, uniqueEmail } from '@leadflow/platform/testing';
import { randomUUID } from 'node:crypto';
import type { ConsumedEvent, Registered } from './stack';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack } from './stack';

interface CreatedWebhook {
  id: string;
  secret: string;
  fieldMapping: Record<string, unknown>;
  dedupScope: string;
  dedupMatch: string[];
  dedupWindowHours: number;
}
interface CreatedProvider {
  id: string;
  apiKey: string;
  keyHint: string;
}
interface IntakeBody {
  leadId: string;
  contactId: string;
  status: string;
  duplicate?: boolean;
  originalLeadId?: string;
  replayed?: boolean;
}
interface Problem {
  status: number;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}
interface Lead {
  id: string;
  contactId: string;
  status: string;
  statusReason: string | null;
  duplicateOfLeadId: string | null;
  stageId: string | null;
  assignedTo: string | null;
  followUpAt: string | null;
  statusHistory: { from: string; to: string }[];
  [field: string]: unknown;
}
interface Activity {
  type: string;
  title: string;
  actor: { type: string; id: string | null };
  metadata: Record<string, unknown>;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface UsageRow {
  webhookId: string;
  hour: string;
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** A fresh, structurally valid US number in a vendor's format: (628) 64X-XXXX. */
const nextPhone = phoneSequence('628', '64');
const nextEmail = (who: string): string => uniqueEmail(who);

const HOUR = 3600_000;

/**
 * Webhook and provider configuration through the gateway, as a tenant sets it up and a vendor
 * posts into it: field mapping, dedup policy, provider keys, limits and usage, audit and events,
 * and working the stored leads (stage, assignee, follow-up) — against identity, ingestion,
 * PostgreSQL, Kafka and Redis.
 */
describe('webhook and provider configuration (gateway + identity + ingestion, real PostgreSQL, Kafka, Redis)', () => {
  const stack = new IntakeStack('webhook-config', { basePort: 15100 });
  let owner: Registered;
  let events: ConsumedEvent[];
  let provider: CreatedProvider;

  const api = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => stack.call<T>(method, path, { body, token: owner.accessToken, headers });

  const createWebhook = (settings: Record<string, unknown> = {}): Promise<CreatedWebhook> =>
    webhooks.createWebhook<CreatedWebhook>(stack, owner, { name: 'Config vendor', ...settings });

  const createProvider = (settings: Record<string, unknown> = {}): Promise<CreatedProvider> =>
    providers.createProvider<CreatedProvider>(stack, owner, { name: 'Config Leads', ...settings });

  /** A vendor post with provider credentials: JSON, or a raw string with its content type. */
  const post = (
    hook: { id: string },
    body: unknown,
    options: { provider?: { id: string; apiKey: string }; headers?: Record<string, string> } = {},
  ) => {
    const p = options.provider ?? provider;
    return stack.call<IntakeBody>('POST', `/webhooks/leads/${hook.id}`, {
      body,
      headers: { 'X-Provider-Id': p.id, 'X-Provider-Key': p.apiKey, ...options.headers },
    });
  };

  const postForm = (hook: { id: string }, pairs: [string, string][]) =>
    post(hook, new URLSearchParams(pairs).toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  const problemOf = (res: { body: unknown }): Problem => res.body as Problem;

  const expectProblem = (
    res: { status: number; body: unknown; headers: Headers },
    status: number,
    code: string,
  ): Problem => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(problemOf(res).code).toBe(code);
    return problemOf(res);
  };

  const getLead = async (id: string): Promise<Lead> => {
    const res = await api<Lead>('GET', `/api/v1/leads/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  const leadIds = async (query: string): Promise<string[]> => {
    const res = await api<Page<{ id: string }>>('GET', `/api/v1/leads${query}`);
    expect(res.status).toBe(200);
    return res.body.items.map((l) => l.id);
  };

  const leadCount = (webhookId: string): Promise<number> =>
    stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1', [webhookId]);

  const auditRows = async (targetIds: string[]) =>
    (
      await stack.db.query<{
        action: string;
        target_type: string;
        target_id: string;
        actor_type: string;
        actor_id: string;
        organization_id: string;
        user_agent: string | null;
        details: Record<string, unknown>;
      }>(
        `SELECT action, target_type, target_id, actor_type, actor_id, organization_id, user_agent, details
           FROM ingestion.audit_log WHERE target_id = ANY($1::text[]) ORDER BY created_at, id`,
        [targetIds],
      )
    ).rows;

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('wendy');
    events = await stack.consume([Topics.ingestionLeads, Topics.identityUsers]);
    provider = await createProvider();
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  describe('field mapping', () => {
    /** A vendor's own labels: odd, snake_case and nested, none of them a built-in spelling. */
    const mapping = {
      "Applicant's Full Name": { field: 'fullName', transforms: ['trim', 'split_full_name'] },
      e_mail_addr: { field: 'email', transforms: ['trim', 'lower'] },
      'lead.contact.phone': 'phone',
      'Bill Amount': { field: 'monthlyElectricBill', transforms: ['parse_money'] },
      'Homeowner (Y/N)': { field: 'homeowner', transforms: ['yes_no'] },
      'Agreed To Terms': { field: 'consent.granted', transforms: ['yes_no'] },
      'When They Opted': { field: 'consent.timestamp', transforms: ['parse_date'] },
      'Promo Code': { field: 'utmCampaign', transforms: ['trim', 'lower'] },
      zip_cd: 'zip',
      'State/Prov': 'state',
      'Vendor Ref #': 'externalId',
    };
    let mapped: CreatedWebhook;

    const expectMappedLead = (lead: Lead, expected: { phone: string; email: string; externalId: string }) => {
      expect(lead).toMatchObject({
        firstName: 'Mary-Jane',
        lastName: "O'Neil",
        phone: e164(expected.phone),
        email: expected.email,
        zip: '94103',
        state: 'CA',
        externalId: expected.externalId,
        vertical: 'solar',
        status: 'new',
        webhookId: mapped.id,
        contactable: { phone: true, sms: true, email: true },
        consent: expect.objectContaining({ granted: true, timestamp: '2024-03-15T14:30:00.000Z' }),
        tracking: expect.objectContaining({ utmCampaign: 'summer-sale' }),
      });
      // Only what no mapping used is kept as extra, nested where it was sent.
      expect(lead.attributes).toEqual({
        monthlyElectricBill: '1234.50',
        homeowner: true,
        extra: { lead: { contact: { preferred_time: 'evening' } }, 'Internal Score': '87' },
      });
    };

    beforeAll(async () => {
      mapped = await createWebhook({ name: 'Mapped vendor', fieldMapping: mapping });
    });

    it('reads a JSON body through the mapping (odd labels, snake_case, nested paths, transforms) into canonical values', async () => {
      const stored = await api<CreatedWebhook>('GET', `/api/v1/webhooks/${mapped.id}`);
      expect(stored.body.fieldMapping).toEqual(mapping);

      const phone = nextPhone();
      const email = nextEmail('mary.oneil');
      const body = {
        "Applicant's Full Name": "  MARY-JANE   O'NEIL ",
        e_mail_addr: `  ${email.toUpperCase()} `,
        lead: { contact: { phone, preferred_time: 'evening' } },
        'Bill Amount': '$1,234.50',
        'Homeowner (Y/N)': 'Y',
        'Agreed To Terms': 'yes',
        'When They Opted': '03/15/2024 2:30 PM',
        'Promo Code': '  SUMMER-Sale ',
        zip_cd: '94103',
        'State/Prov': 'california',
        'Vendor Ref #': 'map-json-1',
        'Internal Score': '87',
      };
      const res = await post(mapped, body);
      expect(res.status).toBe(201);
      expectMappedLead(await getLead(res.body.leadId), { phone, email, externalId: 'map-json-1' });

      // Without the mapping the same body has no phone or e-mail a lead can be reached by.
      const plain = await createWebhook({ name: 'Unmapped vendor' });
      const unmapped = await post(plain, { ...body, 'Vendor Ref #': 'map-json-plain' });
      expect(expectProblem(unmapped, 422, 'invalid_lead').errors).toEqual([
        expect.objectContaining({ field: 'phone', rule: 'contact_required' }),
      ]);
      expect(await leadCount(plain.id)).toBe(0);
    });

    it('reads the same vendor fields posted form-encoded with bracketed nested keys', async () => {
      const phone = nextPhone();
      const email = nextEmail('mj.form');
      const res = await postForm(mapped, [
        ["Applicant's Full Name", "mary-jane o'neil"],
        ['e_mail_addr', ` ${email.toUpperCase()} `],
        ['lead[contact][phone]', phone],
        ['lead[contact][preferred_time]', 'evening'],
        ['Bill Amount', '$1,234.50'],
        ['Homeowner (Y/N)', 'y'],
        ['Agreed To Terms', 'Yes'],
        ['When They Opted', '03/15/2024 2:30 PM'],
        ['Promo Code', 'Summer-SALE  '],
        ['zip_cd', '94103'],
        ['State/Prov', 'California'],
        ['Vendor Ref #', 'map-form-1'],
        ['Internal Score', '87'],
      ]);
      expect(res.status).toBe(201);
      expectMappedLead(await getLead(res.body.leadId), { phone, email, externalId: 'map-form-1' });
      const { rows } = await stack.db.query<{ content_type: string; outcome: string }>(
        'SELECT content_type, outcome FROM ingestion.intake_requests WHERE lead_id = $1',
        [res.body.leadId],
      );
      expect(rows).toEqual([{ content_type: 'application/x-www-form-urlencoded', outcome: 'accepted' }]);
    });

    it('refuses an invalid mapping on create and on update with 422 naming each entry, and stores nothing', async () => {
      const invalid = {
        FName: 'firstname',
        'Phone #': 'telephone',
        Bill: { field: 'monthlyElectricBill', transforms: ['parse_money', 'to_cents'] },
        'lead.__proto__.phone': 'phone',
        City: { field: 'city', transforms: ['split_full_name'] },
      };
      const webhooksBefore = await stack.count(
        'SELECT count(*) AS n FROM ingestion.webhooks WHERE organization_id = $1',
        [owner.organization.id],
      );
      const auditBefore = await stack.count(
        'SELECT count(*) AS n FROM ingestion.audit_log WHERE organization_id = $1',
        [owner.organization.id],
      );
      const created = await api('POST', '/api/v1/webhooks', {
        name: 'Badly mapped',
        workspaceId: owner.workspace.id,
        vertical: 'solar',
        fieldMapping: invalid,
      });
      const problem = expectProblem(created, 422, 'invalid_field_mapping');
      expect(problem.errors).toHaveLength(5);
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'fieldMapping.FName', rule: 'unknown_field' }),
          expect.objectContaining({ field: 'fieldMapping.Phone #', rule: 'unknown_field' }),
          expect.objectContaining({ field: 'fieldMapping.Bill', rule: 'unknown_transform' }),
          expect.objectContaining({ field: 'fieldMapping.lead.__proto__.phone', rule: 'unsafe_key' }),
          expect.objectContaining({ field: 'fieldMapping.City', rule: 'transform_mismatch' }),
        ]),
      );
      expect(problem.errors?.find((e) => e.field === 'fieldMapping.FName')?.message).toContain(
        'did you mean firstName?',
      );
      expect(problem.errors?.find((e) => e.field === 'fieldMapping.Bill')?.message).toContain('to_cents');

      const patched = await api('PATCH', `/api/v1/webhooks/${mapped.id}`, {
        name: 'Renamed with a bad mapping',
        fieldMapping: { ...mapping, 'Phone #': 'telephone' },
      });
      expect(expectProblem(patched, 422, 'invalid_field_mapping').errors).toEqual([
        expect.objectContaining({ field: 'fieldMapping.Phone #', rule: 'unknown_field' }),
      ]);
      const notAnObject = await api('PATCH', `/api/v1/webhooks/${mapped.id}`, { fieldMapping: 'phone' });
      expect(expectProblem(notAnObject, 422, 'validation_failed').errors).toEqual([
        expect.objectContaining({ field: 'fieldMapping' }),
      ]);

      const after = await api<CreatedWebhook & { name: string }>('GET', `/api/v1/webhooks/${mapped.id}`);
      expect(after.body).toMatchObject({ name: 'Mapped vendor', fieldMapping: mapping });
      expect(
        await stack.count('SELECT count(*) AS n FROM ingestion.webhooks WHERE organization_id = $1', [
          owner.organization.id,
        ]),
      ).toBe(webhooksBefore);
      expect(
        await stack.count('SELECT count(*) AS n FROM ingestion.audit_log WHERE organization_id = $1', [
          owner.organization.id,
        ]),
      ).toBe(auditBefore);

      // A valid change of the mapping is applied to the next post.
      const changed = await api<CreatedWebhook>('PATCH', `/api/v1/webhooks/${mapped.id}`, {
        fieldMapping: { ...mapping, 'Cell No': 'phone' },
      });
      expect(changed.status).toBe(200);
      const phone = nextPhone();
      const res = await post(mapped, { 'Cell No': phone, e_mail_addr: nextEmail('remapped') });
      expect(res.status).toBe(201);
      expect((await getLead(res.body.leadId)).phone).toBe(e164(phone));
    });

    it('refuses a "__proto__" vendor key in a mapping sent as JSON (422 naming it) rather than dropping it', async () => {
      const raw = JSON.stringify({
        name: 'Proto mapping',
        workspaceId: owner.workspace.id,
        vertical: 'solar',
      }).replace(/}$/, ',"fieldMapping":{"__proto__":"phone","Cell No":"phone"}}');
      const before = await stack.count(
        'SELECT count(*) AS n FROM ingestion.webhooks WHERE organization_id = $1',
        [owner.organization.id],
      );
      const res = await stack.call<CreatedWebhook>('POST', '/api/v1/webhooks', {
        token: owner.accessToken,
        body: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(expectProblem(res, 422, 'validation_failed').errors).toEqual([
        expect.objectContaining({ field: 'fieldMapping.__proto__', rule: 'unsafe_key' }),
      ]);
      expect(
        await stack.count('SELECT count(*) AS n FROM ingestion.webhooks WHERE organization_id = $1', [
          owner.organization.id,
        ]),
      ).toBe(before);
    });

    it('answers null for a setting that cannot be cleared with 422 naming the field (never a 500), changing nothing', async () => {
      const hook = await createWebhook({ name: 'Nulls' });
      const prov = await createProvider({ name: 'Nulls' });
      const lead = await post(hook, { firstName: 'Nell', phone: nextPhone() });
      expect(lead.status).toBe(201);
      const cases: [string, string][] = [
        ...[
          'dedupWindowHours',
          'dedupMatch',
          'dedupScope',
          'requireConsent',
          'requireSignature',
          'rateLimit',
          'fieldMapping',
          'name',
          'status',
        ].map((field): [string, string] => [`/api/v1/webhooks/${hook.id}`, field]),
        ...['hourlyLimit', 'active', 'allowedWebhookIds', 'currency', 'name'].map(
          (field): [string, string] => [`/api/v1/providers/${prov.id}`, field],
        ),
        ...['priority', 'tags', 'status'].map((field): [string, string] => [
          `/api/v1/leads/${lead.body.leadId}`,
          field,
        ]),
      ];
      for (const [path, field] of cases) {
        const res = await api('PATCH', path, { [field]: null });
        expect([field, res.status]).toEqual([field, 422]);
        expect([...new Set(problemOf(res).errors?.map((e) => e.field))]).toEqual([field]);
      }
      // What may be cleared still is.
      const cleared = await api<{ description: string | null }>('PATCH', `/api/v1/webhooks/${hook.id}`, {
        description: null,
      });
      expect(cleared.status).toBe(200);
      const unpriced = await api<{ costPerLead: string | null }>('PATCH', `/api/v1/providers/${prov.id}`, {
        costPerLead: null,
      });
      expect([unpriced.status, unpriced.body.costPerLead]).toEqual([200, null]);
      expect(await getLead(lead.body.leadId)).toMatchObject({ status: 'new', priority: 3 });
    });
  });

  describe('dedup policy', () => {
    it("with dedupScope 'organization' one person posted to two webhooks is one contact and a linked duplicate", async () => {
      const first = await createWebhook({ name: 'Org scope A', dedupScope: 'organization' });
      const second = await createWebhook({ name: 'Org scope B', dedupScope: 'organization' });
      expect([first.dedupScope, second.dedupScope]).toEqual(['organization', 'organization']);
      const phone = nextPhone();
      const a = await post(first, { firstName: 'Orla', phone, email: nextEmail('orla') });
      expect(a.status).toBe(201);
      const b = await post(second, { first_name: 'Orla', phone_number: phone.replace(/\D/g, '') });
      expect(b.status).toBe(200);
      expect(b.body).toMatchObject({
        duplicate: true,
        status: 'duplicate',
        originalLeadId: a.body.leadId,
        contactId: a.body.contactId,
      });
      expect(b.body.leadId).not.toBe(a.body.leadId);
      expect(await getLead(b.body.leadId)).toMatchObject({
        status: 'duplicate',
        duplicateOfLeadId: a.body.leadId,
        statusReason: 'duplicate_of_recent_lead',
        webhookId: second.id,
      });
      const contacts = await api<Page<{ id: string }>>(
        'GET',
        `/api/v1/contacts?phone=${encodeURIComponent(e164(phone))}`,
      );
      expect(contacts.body.items.map((c) => c.id)).toEqual([a.body.contactId]);
      await eventually(
        async () => events.filter((e) => e.key === b.body.leadId).map((e) => e.envelope.type),
        (types) => types.includes('lead.duplicate_detected'),
        { what: 'lead.duplicate_detected of the cross-webhook duplicate' },
      );
    });

    it("with dedupScope 'webhook' the same person posted to two webhooks is two contacts and two new leads", async () => {
      const first = await createWebhook({ name: 'Webhook scope A', dedupScope: 'webhook' });
      const second = await createWebhook({ name: 'Webhook scope B' });
      expect(second.dedupScope).toBe('webhook');
      const phone = nextPhone();
      const a = await post(first, { firstName: 'Wes', phone });
      const b = await post(second, { firstName: 'Wes', phone });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.body.duplicate).toBeUndefined();
      expect(b.body.contactId).not.toBe(a.body.contactId);
      const contacts = await api<Page<{ id: string }>>(
        'GET',
        `/api/v1/contacts?phone=${encodeURIComponent(e164(phone))}`,
      );
      expect(contacts.body.items.map((c) => c.id).sort()).toEqual(
        [a.body.contactId, b.body.contactId].sort(),
      );
      // Within its own webhook the repeat is still a duplicate.
      const again = await post(second, { firstName: 'Wes', phone });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ duplicate: true, originalLeadId: b.body.leadId });
    });

    it('dedupWindowHours: a repeat within the window is a duplicate, after it a new lead of the same contact', async () => {
      const hook = await createWebhook({ name: 'Day window', dedupWindowHours: 24 });
      expect(hook.dedupWindowHours).toBe(24);
      const phone = nextPhone();
      const person = { firstName: 'Wendell', phone };
      const original = await post(hook, person);
      expect(original.status).toBe(201);
      const age = (leadId: string, hours: number) =>
        stack.db.query(
          `UPDATE ingestion.leads SET created_at = now() - make_interval(hours => $2) WHERE id = $1`,
          [leadId, hours],
        );

      await age(original.body.leadId, 23);
      const within = await post(hook, person);
      expect(within.status).toBe(200);
      expect(within.body).toMatchObject({ duplicate: true, originalLeadId: original.body.leadId });

      await age(original.body.leadId, 25);
      const after = await post(hook, person);
      expect(after.status).toBe(201);
      expect(after.body).toMatchObject({ status: 'new', contactId: original.body.contactId });
      expect(after.body.duplicate).toBeUndefined();
      const next = await post(hook, person);
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ duplicate: true, originalLeadId: after.body.leadId });

      // 0 hours: never a duplicate, still one contact.
      const never = await createWebhook({ name: 'No window', dedupWindowHours: 0 });
      const again = nextPhone();
      const answers = [await post(never, { firstName: 'Nina', phone: again })];
      answers.push(await post(never, { firstName: 'Nina', phone: again }));
      expect(answers.map((a) => [a.status, a.body.status])).toEqual([
        [201, 'new'],
        [201, 'new'],
      ]);
      expect(answers[1].body.contactId).toBe(answers[0].body.contactId);
    });

    it('dedupMatch decides what makes a repeat a duplicate; the contact is the same person whatever it says', async () => {
      // Without 'email': neither an e-mail shared with another phone nor the e-mail alone is a duplicate.
      const phoneOnly = await createWebhook({ name: 'Phone match', dedupMatch: ['phone'] });
      expect(phoneOnly.dedupMatch).toEqual(['phone']);
      const email = nextEmail('shared');
      const phone = nextPhone();
      const first = await post(phoneOnly, { firstName: 'Pia', phone, email });
      const otherPhone = await post(phoneOnly, { firstName: 'Pia', phone: nextPhone(), email });
      const emailAlone = await post(phoneOnly, { firstName: 'Pia', email });
      expect([first, otherPhone, emailAlone].map((r) => [r.status, r.body.status])).toEqual([
        [201, 'new'],
        [201, 'new'],
        [201, 'new'],
      ]);
      expect(otherPhone.body.contactId).not.toBe(first.body.contactId);
      expect(emailAlone.body.contactId).toBe(first.body.contactId);
      const samePhone = await post(phoneOnly, { firstName: 'Pia', phone });
      expect(samePhone.status).toBe(200);
      expect(samePhone.body).toMatchObject({ duplicate: true, originalLeadId: first.body.leadId });

      // The default match (external id, phone, e-mail) takes the e-mail-only repeat as a duplicate.
      const byDefault = await createWebhook({ name: 'Default match' });
      expect(byDefault.dedupMatch).toEqual(['external_id', 'phone', 'email']);
      const defaultEmail = nextEmail('default');
      const d1 = await post(byDefault, { firstName: 'Dee', phone: nextPhone(), email: defaultEmail });
      const d2 = await post(byDefault, { firstName: 'Dee', email: defaultEmail });
      expect([d1.status, d2.status]).toEqual([201, 200]);
      expect(d2.body).toMatchObject({
        duplicate: true,
        originalLeadId: d1.body.leadId,
        contactId: d1.body.contactId,
      });

      // Without 'phone': the same phone with another e-mail is the same contact, but a new lead.
      const emailOnly = await createWebhook({ name: 'Email match', dedupMatch: ['email'] });
      const shared = nextPhone();
      const eliEmail = nextEmail('eli');
      const e1 = await post(emailOnly, { firstName: 'Eli', phone: shared, email: eliEmail });
      const e2 = await post(emailOnly, { firstName: 'Eli', phone: shared, email: nextEmail('eli') });
      expect([e1.status, e2.status]).toEqual([201, 201]);
      expect(e2.body).toMatchObject({ status: 'new', contactId: e1.body.contactId });
      const e3 = await post(emailOnly, { firstName: 'Eli', email: eliEmail });
      expect(e3.status).toBe(200);
      expect(e3.body).toMatchObject({ duplicate: true, originalLeadId: e1.body.leadId });
    });
  });

  describe('providers', () => {
    let hook: CreatedWebhook;

    beforeAll(async () => {
      hook = await createWebhook({ name: 'Provider rules' });
    });

    it('rotate-key: the old key is refused at once (401), the new one works', async () => {
      const rotating = await createProvider({ name: 'Rotating' });
      expect(
        (await post(hook, { firstName: 'Ro', email: nextEmail('ro') }, { provider: rotating })).status,
      ).toBe(201);
      const rotated = await api<CreatedProvider>('POST', `/api/v1/providers/${rotating.id}/rotate-key`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.apiKey).toMatch(/^lfp_/);
      expect(rotated.body.apiKey).not.toBe(rotating.apiKey);
      expect(rotated.body.keyHint).not.toBe(rotating.keyHint);
      expect(rotated.body.id).toBe(rotating.id);

      const before = await leadCount(hook.id);
      const old = await post(hook, { firstName: 'Old', email: nextEmail('old') }, { provider: rotating });
      expectProblem(old, 401, 'invalid_provider_credentials');
      expect(old.headers.get('www-authenticate')).toContain('X-Provider-Key');
      expect(await leadCount(hook.id)).toBe(before);
      const fresh = await post(
        hook,
        { firstName: 'New', email: nextEmail('new') },
        { provider: { id: rotating.id, apiKey: rotated.body.apiKey } },
      );
      expect(fresh.status).toBe(201);
      expect((await getLead(fresh.body.leadId)).providerId).toBe(rotating.id);
      const read = await api<CreatedProvider>('GET', `/api/v1/providers/${rotating.id}`);
      expect(read.body.keyHint).toBe(rotated.body.keyHint);
      expect(read.body.apiKey).toBeUndefined();
    });

    it('refuses an inactive provider (403 provider_inactive) until it is active again', async () => {
      const pausing = await createProvider({ name: 'Pausing' });
      const off = await api<{ active: boolean }>('PATCH', `/api/v1/providers/${pausing.id}`, {
        active: false,
      });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      const listed = await api<Page<{ id: string }>>('GET', '/api/v1/providers?active=false');
      expect(listed.body.items.map((p) => p.id)).toEqual([pausing.id]);

      const before = await leadCount(hook.id);
      const refused = await post(hook, { firstName: 'Ina', email: nextEmail('ina') }, { provider: pausing });
      expectProblem(refused, 403, 'provider_inactive');
      expect(await leadCount(hook.id)).toBe(before);

      expect((await api('PATCH', `/api/v1/providers/${pausing.id}`, { active: true })).status).toBe(200);
      const back = await post(hook, { firstName: 'Ina', email: nextEmail('ina') }, { provider: pausing });
      expect(back.status).toBe(201);
    });

    it('refuses a provider on a webhook outside its allowedWebhookIds (403) and takes it on the allowed one', async () => {
      const allowedHook = await createWebhook({ name: 'Allowed one' });
      const narrow = await createProvider({ name: 'Narrow' });
      const restricted = await api<{ allowedWebhookIds: string[] }>(
        'PATCH',
        `/api/v1/providers/${narrow.id}`,
        {
          allowedWebhookIds: [allowedHook.id],
        },
      );
      expect(restricted.status).toBe(200);
      expect(restricted.body.allowedWebhookIds).toEqual([allowedHook.id]);

      const before = await leadCount(hook.id);
      const refused = await post(hook, { firstName: 'Nat', email: nextEmail('nat') }, { provider: narrow });
      expectProblem(refused, 403, 'provider_not_allowed');
      expect(await leadCount(hook.id)).toBe(before);
      const allowed = await post(
        allowedHook,
        { firstName: 'Nat', email: nextEmail('nat') },
        { provider: narrow },
      );
      expect(allowed.status).toBe(201);

      const unknown = randomUUID();
      const bad = await api('PATCH', `/api/v1/providers/${narrow.id}`, { allowedWebhookIds: [unknown] });
      expect(expectProblem(bad, 422, 'unknown_webhooks').errors).toEqual([
        expect.objectContaining({ field: 'allowedWebhookIds', rule: 'webhook_exists' }),
      ]);
      // Cleared: every webhook of the organization again.
      expect((await api('PATCH', `/api/v1/providers/${narrow.id}`, { allowedWebhookIds: [] })).status).toBe(
        200,
      );
      expect(
        (await post(hook, { firstName: 'Nat', email: nextEmail('nat') }, { provider: narrow })).status,
      ).toBe(201);
    });

    it('usage counts posts per webhook and hour exactly, by outcome, within from (inclusive) and to (exclusive)', async () => {
      const metered = await createProvider({ name: 'Metered' });
      const w1 = await createWebhook({ name: 'Usage one' });
      const w2 = await createWebhook({ name: 'Usage two' });
      const as = { provider: metered };
      const a1 = await post(w1, { firstName: 'U1', email: nextEmail('u1') }, as);
      const a2 = await post(w1, { firstName: 'U2', email: nextEmail('u2') }, as);
      const r1 = await post(w1, { firstName: 'U3', phone: '12' }, as);
      const a3 = await post(w1, { firstName: 'U4', email: nextEmail('u4') }, as);
      const repeatPhone = nextPhone();
      const b1 = await post(w2, { firstName: 'U5', phone: repeatPhone }, as);
      const d1 = await post(w2, { firstName: 'U5', phone: repeatPhone }, as);
      // Not the provider's posts: a wrong key, and another provider.
      await post(
        w2,
        { firstName: 'U6', email: nextEmail('u6') },
        { provider: { id: metered.id, apiKey: 'lfp_nope' } },
      );
      await post(w2, { firstName: 'U7', email: nextEmail('u7') });
      expect([a1, a2, r1, a3, b1, d1].map((r) => r.status)).toEqual([201, 201, 422, 201, 201, 200]);

      // Put each request in a known hour (the intake log is what usage counts).
      const hour = Math.floor(Date.now() / HOUR) * HOUR;
      const h3 = hour - 3 * HOUR;
      const h2 = hour - 2 * HOUR;
      const h30 = hour - 30 * HOUR;
      const at = async (where: string, params: unknown[], time: number) => {
        const res = await stack.db.query(
          `UPDATE ingestion.intake_requests SET received_at = $1 WHERE provider_id = $2 AND ${where}`,
          [new Date(time), metered.id, ...params],
        );
        expect(res.rowCount).toBe(1);
      };
      await at('lead_id = $3', [a1.body.leadId], h3 + 10 * 60_000);
      await at('lead_id = $3', [a2.body.leadId], h3 + HOUR - 1);
      await at(`webhook_id = $3 AND outcome = 'rejected'`, [w1.id], h2);
      await at('lead_id = $3', [a3.body.leadId], h30 + 5 * 60_000);
      await at(`lead_id = $3 AND outcome = 'accepted'`, [b1.body.leadId], h3);
      await at(`outcome = 'duplicate'`, [], h3 + 30 * 60_000);

      const row = (webhookId: string, time: number, counts: Partial<UsageRow>): UsageRow => ({
        webhookId,
        hour: new Date(time).toISOString(),
        requests: 0,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        ...counts,
      });
      const byWebhook = (a: UsageRow, b: UsageRow) =>
        a.hour.localeCompare(b.hour) || a.webhookId.localeCompare(b.webhookId);
      const usage = await api<{ items: UsageRow[] }>('GET', `/api/v1/providers/${metered.id}/usage`);
      expect(usage.status).toBe(200);
      expect(usage.body.items).toEqual(
        [
          row(w1.id, h3, { requests: 2, accepted: 2 }),
          row(w2.id, h3, { requests: 2, accepted: 1, duplicates: 1 }),
          row(w1.id, h2, { requests: 1, rejected: 1 }),
        ].sort(byWebhook),
      );

      const range = await api<{ items: UsageRow[] }>(
        'GET',
        `/api/v1/providers/${metered.id}/usage?from=${new Date(h30).toISOString()}&to=${new Date(h2).toISOString()}`,
      );
      expect(range.body.items).toEqual(
        [
          row(w1.id, h30, { requests: 1, accepted: 1 }),
          row(w1.id, h3, { requests: 2, accepted: 2 }),
          row(w2.id, h3, { requests: 2, accepted: 1, duplicates: 1 }),
        ].sort(byWebhook),
      );
      const backwards = await api(
        'GET',
        `/api/v1/providers/${metered.id}/usage?from=${new Date(h2).toISOString()}&to=${new Date(h3).toISOString()}`,
      );
      expect(expectProblem(backwards, 422, 'invalid_usage_range').errors).toEqual([
        expect.objectContaining({ field: 'from', rule: 'range' }),
      ]);
    });
  });

  describe('audit and events', () => {
    it('audits webhook and provider create, update, secret rotation and key rotation (without secrets)', async () => {
      const agent = { 'User-Agent': 'webhook-config-spec/1.0' };
      const created = await api<CreatedWebhook>(
        'POST',
        '/api/v1/webhooks',
        { name: 'Audited vendor', workspaceId: owner.workspace.id, vertical: 'hvac' },
        agent,
      );
      expect(created.status).toBe(201);
      const hookId = created.body.id;
      const update = { name: 'Audited vendor 2', dedupWindowHours: 48, status: 'paused' };
      expect((await api('PATCH', `/api/v1/webhooks/${hookId}`, update, agent)).status).toBe(200);
      // The same values again change nothing and are not audited.
      expect((await api('PATCH', `/api/v1/webhooks/${hookId}`, update, agent)).status).toBe(200);
      const rotated = await api<{ secret: string }>(
        'POST',
        `/api/v1/webhooks/${hookId}/rotate-secret`,
        { graceHours: 2 },
        agent,
      );
      expect(rotated.status).toBe(200);

      const prov = await api<CreatedProvider>(
        'POST',
        '/api/v1/providers',
        { name: 'Audited provider' },
        agent,
      );
      expect(prov.status).toBe(201);
      expect(
        (
          await api(
            'PATCH',
            `/api/v1/providers/${prov.body.id}`,
            { hourlyLimit: 50, costPerLead: '3.00', allowedWebhookIds: [hookId] },
            agent,
          )
        ).status,
      ).toBe(200);
      const rekeyed = await api<CreatedProvider>(
        'POST',
        `/api/v1/providers/${prov.body.id}/rotate-key`,
        undefined,
        agent,
      );
      expect(rekeyed.status).toBe(200);
      // Each of these answers carries a secret or a key: no cache may keep it.
      for (const answer of [created, rotated, prov, rekeyed]) {
        expect(answer.headers.get('cache-control')).toBe('no-store');
      }

      const rows = await auditRows([hookId, prov.body.id]);
      expect(rows.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
        ['webhook.created', 'webhook', hookId],
        ['webhook.updated', 'webhook', hookId],
        ['webhook.secret_rotated', 'webhook', hookId],
        ['provider.created', 'provider', prov.body.id],
        ['provider.updated', 'provider', prov.body.id],
        ['provider.key_rotated', 'provider', prov.body.id],
      ]);
      for (const r of rows) {
        expect(r).toMatchObject({
          actor_type: 'user',
          actor_id: owner.user.id,
          organization_id: owner.organization.id,
          user_agent: agent['User-Agent'],
        });
      }
      expect(rows[0].details).toEqual({
        name: 'Audited vendor',
        workspaceId: owner.workspace.id,
        vertical: 'hvac',
      });
      expect(rows[1].details).toEqual({
        changed: expect.arrayContaining(['name', 'dedupWindowHours', 'status']),
        status: { from: 'active', to: 'paused' },
      });
      expect(rows[1].details.changed).toHaveLength(3);
      expect(rows[2].details).toEqual({ graceHours: 2 });
      expect(rows[3].details).toEqual({
        name: 'Audited provider',
        workspaceIds: null,
        allowedWebhookIds: [],
      });
      expect(rows[4].details).toEqual({
        changed: expect.arrayContaining(['hourlyLimit', 'costPerLead', 'allowedWebhookIds']),
      });
      expect(rows[4].details.changed).toHaveLength(3);
      const written = JSON.stringify(rows);
      for (const secret of [
        created.body.secret,
        rotated.body.secret,
        prov.body.apiKey,
        rekeyed.body.apiKey,
      ]) {
        expect(written).not.toContain(secret);
      }
    });

    it('announces a post refused for validation as lead.rejected with its request id, reasons and correlation id', async () => {
      const hook = await createWebhook({ name: 'Rejecting vendor' });
      const correlationId = `reject-${Date.now()}`;
      const res = await post(
        hook,
        { firstName: 'Rex', phone: '(212) 555-0123', email: 'not-an-email' },
        { headers: { 'X-Correlation-Id': correlationId } },
      );
      expect(expectProblem(res, 422, 'invalid_lead').errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'phone', rule: 'phone_fictional' }),
          expect.objectContaining({ field: 'email', rule: 'email_invalid' }),
        ]),
      );
      expect(await leadCount(hook.id)).toBe(0);

      const log = await api<Page<{ id: string; code: string; httpStatus: number; providerId: string }>>(
        'GET',
        `/api/v1/webhooks/${hook.id}/requests?outcome=rejected`,
      );
      expect(log.body.items).toHaveLength(1);
      const request = log.body.items[0];
      expect(request).toMatchObject({ code: 'invalid_lead', httpStatus: 422, providerId: provider.id });

      const { rows } = await stack.db.query<{ message_key: string; topic: string; value: string }>(
        `SELECT message_key, topic, value FROM ingestion.outbox
          WHERE type = 'lead.rejected' AND (value::jsonb)->'payload'->>'webhookId' = $1`,
        [hook.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].message_key).toBe(request.id);
      expect(rows[0].topic.endsWith(Topics.ingestionLeads)).toBe(true);
      const envelope = JSON.parse(rows[0].value) as ConsumedEvent['envelope'];
      expect(envelope).toMatchObject({
        type: 'lead.rejected',
        organizationId: owner.organization.id,
        workspaceId: owner.workspace.id,
        aggregateId: request.id,
        correlationId,
      });
      expect(envelope.payload).toEqual({
        requestId: request.id,
        channel: 'webhook',
        webhookId: hook.id,
        providerId: provider.id,
        importId: null,
        code: 'invalid_lead',
        reasons: expect.arrayContaining([
          expect.stringMatching(/^phone: /),
          expect.stringMatching(/^email: /),
        ]),
      });
      expect(envelope.payload.reasons).toHaveLength(2);

      const published = await eventually(
        async () => events.filter((e) => e.envelope.type === 'lead.rejected' && e.key === request.id),
        (found) => found.length === 1,
        { what: 'lead.rejected on ingestion.leads.v1' },
      );
      expect(published[0].envelope.payload).toEqual(envelope.payload);
    });
  });

  describe('working leads: stage, assignee, follow-up', () => {
    let hook: CreatedWebhook;
    const stageIds: Record<string, string> = {};

    const createStage = async (name: string): Promise<string> => {
      const res = await api<{ id: string }>('POST', '/api/v1/pipeline-stages', {
        workspaceId: owner.workspace.id,
        name,
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };

    /** A second member of the organization (invited, accepted), for assignments. */
    const inviteMember = async (name: string): Promise<string> => {
      const invited = await api<{ id: string }>('POST', '/api/v1/members', {
        email: nextEmail(name),
        role: 'agent',
      });
      expect(invited.status).toBe(201);
      const event = await eventually(
        async () => events.find((e) => e.envelope.type === 'user.invited' && e.key === invited.body.id),
        (found) => found !== undefined,
        { what: `user.invited for ${name}` },
      );
      const accepted = await stack.call<{ accessToken: string }>('POST', '/api/v1/invitations/accept', {
        body: {
          token: openedMailToken(
            (event as { envelope: { type: string; payload: Record<string, unknown> } }).envelope,
          ),
          name,
          password: 'violet-anchor-harbor-42',
        },
      });
      expect(accepted.status).toBe(200);
      const claims = JSON.parse(
        Buffer.from(accepted.body.accessToken.split('.')[1], 'base64url').toString(),
      ) as { sub: string };
      return claims.sub;
    };

    beforeAll(async () => {
      hook = await createWebhook({ name: 'Worked vendor' });
      stageIds.qualify = await createStage('Qualify');
      stageIds.propose = await createStage('Propose');
    });

    it('stores stage, assignee and follow-up, records them on the timeline and emits lead.updated naming them', async () => {
      const res = await post(hook, { firstName: 'Stella', phone: nextPhone() });
      expect(res.status).toBe(201);
      const id = res.body.leadId;
      const followUpAt = '2030-01-02T03:04:05Z';
      const patched = await api<Lead>('PATCH', `/api/v1/leads/${id}`, {
        stageId: stageIds.qualify,
        assignedTo: owner.user.id,
        followUpAt,
      });
      expect(patched.status).toBe(200);
      const expected = {
        stageId: stageIds.qualify,
        assignedTo: owner.user.id,
        followUpAt: '2030-01-02T03:04:05.000Z',
        status: 'new',
      };
      expect(patched.body).toMatchObject(expected);
      const lead = await getLead(id);
      expect(lead).toMatchObject(expected);
      expect(lead.statusHistory).toEqual([]);

      const timeline = await api<Page<Activity>>('GET', `/api/v1/leads/${id}/activities`);
      expect(timeline.body.items.map((a) => a.type)).toEqual([
        'update',
        'assignment',
        'stage_change',
        'created',
      ]);
      const [update, assignment, stage] = timeline.body.items;
      expect(stage).toMatchObject({
        title: 'Pipeline stage changed',
        actor: { type: 'user', id: owner.user.id },
        metadata: { from: null, to: stageIds.qualify },
      });
      expect(assignment).toMatchObject({
        title: 'Lead assigned',
        metadata: { from: null, to: owner.user.id },
      });
      expect(update).toMatchObject({
        title: 'Lead updated',
        metadata: { changed: ['followUpAt'], followUpAt: '2030-01-02T03:04:05.000Z' },
      });

      // Moved on, unassigned, follow-up cleared.
      const moved = await api<Lead>('PATCH', `/api/v1/leads/${id}`, {
        stageId: stageIds.propose,
        assignedTo: null,
        followUpAt: null,
      });
      expect(moved.body).toMatchObject({ stageId: stageIds.propose, assignedTo: null, followUpAt: null });
      const later = await api<Page<Activity>>('GET', `/api/v1/leads/${id}/activities?limit=3`);
      expect(later.body.items.map((a) => [a.type, a.title, a.metadata])).toEqual([
        ['update', 'Lead updated', { changed: ['followUpAt'], followUpAt: null }],
        ['assignment', 'Lead unassigned', { from: owner.user.id, to: null }],
        ['stage_change', 'Pipeline stage changed', { from: stageIds.qualify, to: stageIds.propose }],
      ]);

      const updates = await eventually(
        async () => events.filter((e) => e.envelope.type === 'lead.updated' && e.key === id),
        (found) => found.length === 2,
        { what: 'two lead.updated events' },
      );
      expect(updates.map((e) => e.envelope.payload.changed)).toEqual([
        ['stageId', 'assignedTo', 'followUpAt'],
        ['stageId', 'assignedTo', 'followUpAt'],
      ]);
      expect(updates[0].envelope.payload.lead).toMatchObject({
        id,
        stageId: stageIds.qualify,
        assignedTo: owner.user.id,
        followUpAt: '2030-01-02T03:04:05.000Z',
      });
      expect(updates[1].envelope.payload.lead).toMatchObject({
        stageId: stageIds.propose,
        assignedTo: null,
        followUpAt: null,
      });
      expect(events.some((e) => e.key === id && e.envelope.type === 'lead.status_changed')).toBe(false);
      const audited = await auditRows([id]);
      expect(audited.map((r) => [r.action, r.details])).toEqual([
        ['lead.updated', { changed: ['stageId', 'assignedTo', 'followUpAt'] }],
        ['lead.updated', { changed: ['stageId', 'assignedTo', 'followUpAt'] }],
      ]);
    });

    it('refuses a stage that is unknown, inactive or of another workspace (422 unknown_stage) and changes nothing', async () => {
      const res = await post(hook, { firstName: 'Sid', phone: nextPhone() });
      const id = res.body.leadId;
      const retired = await createStage('Retired');
      expect((await api('DELETE', `/api/v1/pipeline-stages/${retired}`)).status).toBe(204);
      const ws = await api<{ id: string }>('POST', '/api/v1/workspaces', { name: 'Elsewhere', kind: 'team' });
      expect(ws.status).toBe(201);
      await eventually(
        () => stack.count('SELECT count(*) AS n FROM ingestion.workspaces WHERE id = $1', [ws.body.id]),
        (n) => n === 1,
        { what: 'the new workspace to reach ingestion' },
      );
      const foreign = await api<{ id: string }>('POST', '/api/v1/pipeline-stages', {
        workspaceId: ws.body.id,
        name: 'Foreign',
      });
      expect(foreign.status).toBe(201);
      for (const stageId of [randomUUID(), retired, foreign.body.id]) {
        const refused = await api('PATCH', `/api/v1/leads/${id}`, { stageId, assignedTo: owner.user.id });
        expect(expectProblem(refused, 422, 'unknown_stage').errors).toEqual([
          expect.objectContaining({ field: 'stageId', rule: 'stage_exists' }),
        ]);
      }
      expect(await getLead(id)).toMatchObject({ stageId: null, assignedTo: null });
      expect(await auditRows([id])).toEqual([]);
    });

    it('filters the list by stage and by assignee exactly', async () => {
      const other = await inviteMember('Otis');
      const [l1, l2, l3, l4] = await Promise.all(
        ['Fay', 'Flo', 'Fin', 'Fox'].map(async (firstName) => {
          const res = await post(hook, { firstName, phone: nextPhone() });
          expect(res.status).toBe(201);
          return res.body.leadId;
        }),
      );
      const sampler = await createStage('Sampler');
      const closer = await createStage('Closer');
      const set = async (id: string, body: Record<string, unknown>) =>
        expect((await api('PATCH', `/api/v1/leads/${id}`, body)).status).toBe(200);
      await set(l1, { stageId: sampler, assignedTo: owner.user.id });
      await set(l2, { stageId: closer, assignedTo: owner.user.id });
      await set(l3, { stageId: sampler, assignedTo: other });
      await set(l4, { followUpAt: '2031-05-06T07:08:09Z' });

      const created = await stack.db.query<{ id: string }>(
        'SELECT id FROM ingestion.leads WHERE id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC',
        [[l1, l2, l3, l4]],
      );
      const order = created.rows.map((r) => r.id);
      const inOrder = (ids: string[]) => order.filter((id) => ids.includes(id));
      expect(order).toHaveLength(4);

      expect(await leadIds(`?stage=${sampler}`)).toEqual(inOrder([l1, l3]));
      expect(await leadIds(`?stage=${closer}`)).toEqual([l2]);
      expect(await leadIds(`?assignedTo=${other}`)).toEqual([l3]);
      // The earlier leads of this organization were unassigned again: exactly these two.
      expect(await leadIds(`?assignedTo=${owner.user.id}`)).toEqual(inOrder([l1, l2]));
      expect(await leadIds(`?stage=${sampler}&assignedTo=${owner.user.id}`)).toEqual([l1]);
      expect(await leadIds(`?stage=${stageIds.qualify}&assignedTo=${other}`)).toEqual([]);
      expect(await leadIds(`?stage=${randomUUID()}`)).toEqual([]);
      const bad = await api('GET', '/api/v1/leads?stage=not-a-uuid');
      expect(expectProblem(bad, 422, 'validation_failed').errors).toEqual([
        expect.objectContaining({ field: 'stage', rule: 'isUuid' }),
      ]);
    });
  });
});
