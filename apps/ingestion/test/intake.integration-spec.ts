import { eventually, freshWindow } from '@leadflow/platform/testing';
import type Redis from 'ioredis';
import { signatureHeader } from '../src/webhooks/webhook-signature';
import { nextPhone, useIntakeFixture } from './intake-fixture';
import type { CreatedProvider, CreatedWebhook } from './intake-fixture';
import type { ConsumedEvent, Registered } from './stack';

/**
 * Vendor intake through the gateway against the real platform pieces: identity (tokens), two
 * ingestion instances (shared Redis limits), PostgreSQL and Kafka: acceptance, replays, dedup,
 * concurrency, signatures, limits, refusals, tenancy and working the stored leads.
 */
describe('lead intake (gateway + identity + 2 ingestion instances, real PostgreSQL, Kafka, Redis)', () => {
  const fx = useIntakeFixture('intake');
  const { stack, api, createWebhook, createProvider, post, signedPost, leadCount } = fx;
  let owner: Registered;
  let other: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;
  let events: ConsumedEvent[];
  let redis: Redis;

  beforeAll(() => {
    ({ owner, other, webhook, provider, events, redis } = fx);
  });

  it('onboards a vendor from the API alone and stores a messy lead normalized, once, with its raw body and event', async () => {
    expect(webhook.url).toBe(`${stack.gateway}/webhooks/leads/${webhook.id}`);
    expect(webhook.secret).toMatch(/^whsec_/);
    const raw = {
      first_name: '  JOHN ',
      last_name: 'smith',
      phone_number: '(555) 123-4567',
      email_address: ' John.Smith@Example.COM ',
      state: 'California',
      zip_code: '90210',
      lead_id: 'vendor-1',
      monthly_electric_bill: '$250',
      homeowner: 'yes',
      utm_source: 'facebook',
      consent: {
        granted: true,
        text: 'I agree to be called',
        trustedFormCertUrl: 'https://cert.trustedform.com/abc123',
      },
      favourite_colour: 'green',
    };
    const res = await post(webhook, raw);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'new',
      leadId: expect.any(String),
      contactId: expect.any(String),
    });

    const lead = await api<Record<string, unknown>>('GET', `/api/v1/leads/${res.body.leadId}`);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({
      firstName: 'John',
      lastName: 'Smith',
      phone: '+15551234567',
      email: 'john.smith@example.com',
      state: 'CA',
      zip: '90210',
      externalId: 'vendor-1',
      vertical: 'solar',
      status: 'new',
      providerId: provider.id,
      webhookId: webhook.id,
      cost: '12.50',
      currency: 'USD',
      contactable: { phone: true, sms: true, email: true },
      tracking: expect.objectContaining({ utmSource: 'facebook' }),
    });
    expect(lead.body.attributes).toMatchObject({
      monthlyElectricBill: '250.00',
      homeowner: true,
      extra: expect.objectContaining({ favourite_colour: 'green' }),
    });

    const { rows } = await stack.db.query<{ raw_body: Buffer; content_type: string; outcome: string }>(
      'SELECT raw_body, content_type, outcome FROM ingestion.intake_requests WHERE lead_id = $1',
      [res.body.leadId],
    );
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].raw_body.toString())).toEqual(raw);
    expect(rows[0]).toMatchObject({ content_type: 'application/json', outcome: 'accepted' });

    await eventually(
      async () => events.filter((e) => e.envelope.type === 'lead.created' && e.key === res.body.leadId),
      (found) => found.length === 1,
      { what: 'lead.created on ingestion.leads.v1' },
    );
    const created = events.find((e) => e.key === res.body.leadId);
    expect(created?.envelope).toMatchObject({
      organizationId: owner.organization.id,
      workspaceId: owner.workspace.id,
      payload: expect.objectContaining({ id: res.body.leadId, phone: '+15551234567' }),
    });
    // On its own topic: it may arrive after lead.created.
    await eventually(
      async () => events.filter((e) => e.envelope.type === 'contact.created' && e.key === res.body.contactId),
      (found) => found.length === 1,
      { what: 'contact.created on ingestion.contacts.v1' },
    );
    await eventually(
      async () =>
        (await api<{ lastUsedAt: string | null }>('GET', `/api/v1/providers/${provider.id}`)).body.lastUsedAt,
      (lastUsedAt) => lastUsedAt !== null,
      { what: "the provider's last-used time" },
    );
  });

  it('answers a repeat of the same external id, or Idempotency-Key, with the original lead and stores nothing new', async () => {
    const body = { firstName: 'Rita', phone: nextPhone(), externalId: 'vendor-rep-1' };
    const first = await post(webhook, body);
    expect(first.status).toBe(201);
    const again = await post(webhook, { ...body, firstName: 'Rita B' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ leadId: first.body.leadId, duplicate: true, replayed: true });

    const keyed = { firstName: 'Kim', email: `kim.${Date.now()}@example.com` };
    const k1 = await post(webhook, keyed, { headers: { 'Idempotency-Key': 'order-77' } });
    const k2 = await post(webhook, keyed, { headers: { 'Idempotency-Key': 'order-77' } });
    expect([k1.status, k2.status]).toEqual([201, 200]);
    expect(k2.body.leadId).toBe(k1.body.leadId);
    expect(
      await stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE id = ANY($1)', [
        [first.body.leadId, k1.body.leadId],
      ]),
    ).toBe(2);
  });

  it('scopes an Idempotency-Key to its source: two providers with the same key get two leads, each its own replay', async () => {
    const owner = await stack.register('ike');
    const token = owner.accessToken;
    const hook = await stack.call<{ id: string; secret: string }>('POST', '/api/v1/webhooks', {
      token,
      body: {
        name: 'Shared solar',
        workspaceId: owner.workspace.id,
        vertical: 'solar',
        rateLimit: 100_000,
        rateWindowSeconds: 3600,
      },
    });
    expect(hook.status).toBe(201);
    const [north, south] = await Promise.all(
      ['North Leads', 'South Leads'].map(async (name) => {
        const res = await stack.call<{ id: string; apiKey: string }>('POST', '/api/v1/providers', {
          token,
          body: { name },
        });
        expect(res.status).toBe(201);
        return res.body;
      }),
    );
    type Reply = { leadId: string; replayed?: boolean };
    const send = (provider: { id: string; apiKey: string } | null, body: Record<string, unknown>) => {
      const raw = JSON.stringify(body);
      return stack.call<Reply>('POST', `/webhooks/leads/${hook.body.id}`, {
        body: raw,
        headers: {
          'content-type': 'application/json',
          'Idempotency-Key': '1',
          ...(provider
            ? { 'X-Provider-Id': provider.id, 'X-Provider-Key': provider.apiKey }
            : { 'LeadFlow-Signature': signatureHeader(hook.body.secret, raw) }),
        },
      });
    };
    const people = {
      north: { firstName: 'Nora', phone: '(415) 631-0001' },
      south: { firstName: 'Sam', phone: '(415) 631-0002' },
      signed: { firstName: 'Sig', phone: '(415) 631-0003' },
    };

    // At the same time, with the same key: each source's own lead, not the other's.
    const firsts = await Promise.all([
      send(north, people.north),
      send(south, people.south),
      send(null, people.signed),
    ]);
    expect(firsts.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(firsts.map((r) => r.body.leadId)).size).toBe(3);

    // The same source again: its own lead back, nothing stored.
    const agains = await Promise.all([
      send(north, { ...people.north, firstName: 'Nora B' }),
      send(south, { ...people.south, firstName: 'Sam B' }),
      send(null, { ...people.signed, firstName: 'Sig B' }),
    ]);
    expect(agains.map((r) => [r.status, r.body.leadId, r.body.replayed])).toEqual(
      firsts.map((r) => [200, r.body.leadId, true]),
    );
    const { rows } = await stack.db.query<{ first_name: string; source_key: string }>(
      `SELECT first_name, source_key FROM ingestion.leads WHERE webhook_id = $1 ORDER BY first_name`,
      [hook.body.id],
    );
    expect(rows).toEqual([
      { first_name: 'Nora', source_key: north.id },
      { first_name: 'Sam', source_key: south.id },
      { first_name: 'Sig', source_key: `webhook:${hook.body.id}` },
    ]);
  });

  it('keeps the same person in the same vertical within the window as a duplicate linked to the original', async () => {
    const phone = nextPhone();
    const first = await post(webhook, { firstName: 'Dana', phone, externalId: 'd-1' });
    const second = await post(webhook, {
      firstName: 'Dana',
      phone: phone.replace(/[()\s-]/g, ''),
      email: 'dana.second@example.com',
      externalId: 'd-2',
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      duplicate: true,
      status: 'duplicate',
      originalLeadId: first.body.leadId,
      contactId: first.body.contactId,
    });
    expect(second.body.leadId).not.toBe(first.body.leadId);
    await eventually(
      async () => events.filter((e) => e.key === second.body.leadId).map((e) => e.envelope.type),
      (types) => types.includes('lead.duplicate_detected'),
      { what: 'lead.duplicate_detected' },
    );
    expect(events.some((e) => e.key === second.body.leadId && e.envelope.type === 'lead.created')).toBe(
      false,
    );
    // The contact's blank e-mail was filled from the repeat.
    const contact = await api<{ email: string }>('GET', `/api/v1/contacts/${first.body.contactId}`);
    expect(contact.body.email).toBe('dana.second@example.com');
    await eventually(
      async () => events.filter((e) => e.key === first.body.contactId).map((e) => e.envelope.type),
      (types) => types.includes('contact.updated'),
      { what: 'contact.updated' },
    );
  });

  it('turns 50 concurrent posts of one lead into exactly one lead (and, without an id, one lead plus 49 linked duplicates)', async () => {
    const phone = nextPhone();
    const body = { firstName: 'Burst', lastName: 'Test', phone, externalId: 'burst-1' };
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(webhook, body, { base: stack.ingestion[i % 2] })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.body.leadId)).size).toBe(1);
    expect(
      await stack.count(
        'SELECT count(*) AS n FROM ingestion.leads l JOIN ingestion.contacts c ON c.id = l.contact_id WHERE l.external_id = $1',
        ['burst-1'],
      ),
    ).toBe(1);

    const anonymous = { firstName: 'Burst', lastName: 'Anon', email: `burst.${Date.now()}@example.com` };
    const noId = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(webhook, anonymous, { base: stack.ingestion[i % 2] })),
    );
    expect(noId.filter((a) => a.status === 201)).toHaveLength(1);
    const original = noId.find((a) => a.status === 201)?.body.leadId;
    expect(noId.filter((a) => a.status === 200 && a.body.originalLeadId === original)).toHaveLength(49);
    expect(
      await stack.count('SELECT count(DISTINCT contact_id) AS n FROM ingestion.leads WHERE email = $1', [
        anonymous.email,
      ]),
    ).toBe(1);
  });

  it('stores 1,000 parallel distinct leads as 1,000 leads and 1,000 lead.created events', async () => {
    const hook = await createWebhook({ name: 'Bulk vendor' });
    const answers: number[] = [];
    const ids: string[] = [];
    const pending = Array.from({ length: 1000 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
          const res = await post(hook, {
            firstName: `Bulk${i}`,
            email: `bulk.${i}.${Date.now()}@example.com`,
          });
          answers.push(res.status);
          if (res.status === 201) ids.push(res.body.leadId);
        }
      }),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(1000);
    expect(await leadCount(hook.id)).toBe(1000);
    const wanted = new Set(ids);
    await eventually(
      async () => events.filter((e) => e.envelope.type === 'lead.created' && wanted.has(e.key)).length,
      (n) => n >= 1000,
      { timeoutMs: 60_000, what: '1,000 lead.created events' },
    );
    const created = events.filter((e) => e.envelope.type === 'lead.created' && wanted.has(e.key));
    expect(created).toHaveLength(1000);
    expect(new Set(created.map((e) => e.envelope.id)).size).toBe(1000);
  });

  it('writes concurrent posts in shared batches, each with its own answer, request log row and correlation id', async () => {
    const hook = await createWebhook({ name: 'Batch vendor' });
    const stamp = Date.now();
    const kinds = Array.from({ length: 40 }, (_, i) => (['new', 'keyed', 'invalid'] as const)[i % 3]);
    const answers = await Promise.all(
      kinds.map((kind, i) =>
        post(
          hook,
          kind === 'invalid'
            ? { firstName: 'Nobody', phone: '12' }
            : {
                firstName: `Batch${i}`,
                email: `batch.${i}.${stamp}@example.com`,
              },
          {
            base: stack.ingestion[0],
            headers: {
              'X-Correlation-Id': `batch-${stamp}-${i}`,
              ...(kind === 'keyed' ? { 'Idempotency-Key': `mix-${stamp}` } : {}),
            },
          },
        ),
      ),
    );
    const of = (kind: string) => answers.filter((_, i) => kinds[i] === kind);
    expect(of('new').map((a) => a.status)).toEqual(Array(14).fill(201));
    expect(new Set(of('new').map((a) => a.body.leadId)).size).toBe(14);
    const keyed = of('keyed');
    expect(keyed.filter((a) => a.status === 201)).toHaveLength(1);
    expect(keyed.filter((a) => a.status === 200 && a.body.replayed === true)).toHaveLength(12);
    expect(new Set(keyed.map((a) => a.body.leadId)).size).toBe(1);
    expect(of('invalid').map((a) => a.status)).toEqual(Array(13).fill(422));

    expect(await leadCount(hook.id)).toBe(15);
    // Posts shared transactions: leads of one batch carry the batch's time.
    expect(
      await stack.count('SELECT count(DISTINCT created_at) AS n FROM ingestion.leads WHERE webhook_id = $1', [
        hook.id,
      ]),
    ).toBeLessThan(15);
    const logged = await stack.db.query<{
      outcome: string;
      code: string | null;
      lead_id: string | null;
      n: string;
    }>(
      `SELECT outcome, code, lead_id, count(*) AS n FROM ingestion.intake_requests WHERE webhook_id = $1
          GROUP BY 1, 2, 3`,
      [hook.id],
    );
    const rows = logged.rows.map((r) => ({ ...r, n: Number(r.n) }));
    const keyedLead = keyed[0].body.leadId;
    expect(rows.filter((r) => r.outcome === 'accepted')).toHaveLength(15); // one row per stored lead
    expect(rows.filter((r) => r.outcome === 'accepted').every((r) => r.n === 1 && r.code === null)).toBe(
      true,
    );
    expect(rows.find((r) => r.outcome === 'duplicate')).toEqual({
      outcome: 'duplicate',
      code: 'replayed',
      lead_id: keyedLead,
      n: 12,
    });
    expect(rows.find((r) => r.outcome === 'rejected')).toMatchObject({ code: 'invalid_lead', n: 13 });

    const created = answers.flatMap((a, i) =>
      a.status === 201 ? [[a.body.leadId, `batch-${stamp}-${i}`]] : [],
    );
    await eventually(
      async () =>
        events.filter((e) => e.envelope.type === 'lead.created' && created.some(([id]) => id === e.key)),
      (found) => found.length >= created.length,
      { timeoutMs: 30_000, what: 'the lead.created events of the batch' },
    );
    for (const [leadId, correlationId] of created) {
      const event = events.find((e) => e.envelope.type === 'lead.created' && e.key === leadId);
      expect(event?.envelope.correlationId).toBe(correlationId);
    }
  });

  it('fails only the post the database refuses; the rest of its batch is stored', async () => {
    const hook = await createWebhook({ name: 'Poison vendor' });
    // Fault injection in the real database: a trigger refuses one lead of the batch.
    await stack.db
      .query(`CREATE FUNCTION ingestion.test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.first_name = 'Poison' THEN RAISE EXCEPTION 'poisoned lead'; END IF; RETURN NEW; END $$`);
    await stack.db.query(`CREATE TRIGGER test_refuse_poison BEFORE INSERT ON ingestion.leads
        FOR EACH ROW EXECUTE FUNCTION ingestion.test_refuse_poison()`);
    try {
      const stamp = Date.now();
      const names = Array.from({ length: 21 }, (_, i) => (i === 10 ? 'Poison' : `Mate${i}`));
      const answers = await Promise.all(
        names.map((firstName, i) =>
          post(hook, { firstName, email: `mate.${i}.${stamp}@example.com` }, { base: stack.ingestion[0] }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(names.map((n) => (n === 'Poison' ? 500 : 201)));
      expect(answers[10].body).toMatchObject({ status: 500 });
      expect(await leadCount(hook.id)).toBe(20);
      expect(
        await stack.count(
          `SELECT count(*) AS n FROM ingestion.intake_requests WHERE webhook_id = $1 AND outcome = 'accepted'`,
          [hook.id],
        ),
      ).toBe(20);
    } finally {
      await stack.db.query('DROP TRIGGER test_refuse_poison ON ingestion.leads');
      await stack.db.query('DROP FUNCTION ingestion.test_refuse_poison()');
    }
  });

  it('checks LeadFlow-Signature: valid, expired, future, tampered, wrong secret, replayed, rotated with grace', async () => {
    const hook = await createWebhook({ name: 'Signed vendor', requireSignature: true });
    const lead = (n: string) => JSON.stringify({ firstName: n, email: `${n}.${Date.now()}@example.com` });
    const now = Math.floor(Date.now() / 1000);

    const body = lead('valid');
    const ok = await signedPost(hook, body, signatureHeader(hook.secret, body, now));
    expect(ok.status).toBe(201);

    // Well outside the 300 s tolerance, timed at each post: a slow machine cannot bring a stamp
    // back inside it. The boundary itself (±300 s in, ±301 s out) is unit-tested with a fixed clock.
    for (const [offset, code] of [
      [-600, 'signature_expired'],
      [600, 'signature_future'],
    ] as const) {
      const raw = lead(code);
      const stamp = Math.floor(Date.now() / 1000) + offset;
      const res = await signedPost(hook, raw, signatureHeader(hook.secret, raw, stamp));
      expect(res.status).toBe(401);
      expect((res.body as unknown as { code: string }).code).toBe(code);
    }
    const signed = lead('tampered');
    const tampered = await signedPost(
      hook,
      signed.replace('tampered', 'tampereD'),
      signatureHeader(hook.secret, signed, now),
    );
    expect(tampered.status).toBe(401);
    expect((tampered.body as unknown as { code: string }).code).toBe('signature_mismatch');

    const wrong = await signedPost(hook, signed, signatureHeader('whsec_wrong', signed, now));
    expect((wrong.body as unknown as { code: string }).code).toBe('signature_mismatch');

    const replay = await signedPost(hook, body, signatureHeader(hook.secret, body, now));
    expect(replay.status).toBe(401);
    expect((replay.body as unknown as { code: string }).code).toBe('signature_replayed');

    const unsigned = await post(hook, JSON.parse(lead('unsigned')) as object);
    expect(unsigned.status).toBe(401);
    expect((unsigned.body as unknown as { code: string }).code).toBe('signature_required');

    const rotated = await api<{ secret: string; previousSecretValidUntil: string }>(
      'POST',
      `/api/v1/webhooks/${hook.id}/rotate-secret`,
      { graceHours: 1 },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretValidUntil).not.toBeNull();
    const withOld = lead('old-secret');
    expect((await signedPost(hook, withOld, signatureHeader(hook.secret, withOld))).status).toBe(201);
    const withNew = lead('new-secret');
    expect((await signedPost(hook, withNew, signatureHeader(rotated.body.secret, withNew))).status).toBe(201);

    const noGrace = await api<{ secret: string }>('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, {
      graceHours: 0,
    });
    const stale = lead('stale-secret');
    expect((await signedPost(hook, stale, signatureHeader(rotated.body.secret, stale))).status).toBe(401);
    const fresh = lead('fresh-secret');
    expect((await signedPost(hook, fresh, signatureHeader(noGrace.body.secret, fresh))).status).toBe(201);

    const form = `first_name=Fern&email=fern.${Date.now()}%40example.com&consent=yes`;
    const formAnswer = await signedPost(
      hook,
      form,
      signatureHeader(noGrace.body.secret, form),
      'application/x-www-form-urlencoded',
    );
    expect(formAnswer.status).toBe(201);
  });

  it('enforces the webhook limit and the provider hourly limit exactly across two instances', async () => {
    const hour = await freshWindow(3_600_000, 120_000); // the limits count in epoch-aligned hours
    const limited = await createWebhook({ name: 'Limited', rateLimit: 20, rateWindowSeconds: 3600 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(
          limited,
          { firstName: 'Lim', email: `lim.${i}.${Date.now()}@example.com` },
          { base: stack.ingestion[i % 2] },
        ),
      ),
    );
    expect({ sameHour: hour.current() }).toEqual({ sameHour: true });
    expect(answers.filter((a) => a.status === 201)).toHaveLength(20);
    // Stored posts answer the webhook's window too: each one saw its own count.
    const remaining = answers
      .filter((a) => a.status === 201)
      .map((a) => Number(a.headers.get('ratelimit-remaining')))
      .sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(10);
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0].headers.get('ratelimit-limit')).toBe('20');
    expect(refused[0].headers.get('ratelimit-remaining')).toBe('0');
    expect(await leadCount(limited.id)).toBe(20);

    const hourly = await createProvider({ name: 'Hourly', hourlyLimit: 15 });
    const byProvider = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        post(
          webhook,
          { firstName: 'Hour', email: `hour.${i}.${Date.now()}@example.com` },
          {
            provider: hourly,
            base: stack.ingestion[i % 2],
          },
        ),
      ),
    );
    expect({ sameHour: hour.current() }).toEqual({ sameHour: true });
    expect(byProvider.filter((a) => a.status === 201)).toHaveLength(15);
    const hourlyRefused = byProvider.filter((a) => a.status === 429);
    expect(hourlyRefused).toHaveLength(10);
    expect((hourlyRefused[0].body as unknown as { code: string }).code).toBe('provider_rate_limited');

    // Each refusal is in the request log, with its status and code.
    const refusals = async (webhookId: string, providerId: string) =>
      (
        await stack.db.query<{ http_status: number; code: string; n: number }>(
          `SELECT http_status, code, count(*)::int AS n FROM ingestion.intake_requests
            WHERE webhook_id = $1 AND provider_id = $2 AND outcome = 'rejected' GROUP BY 1, 2`,
          [webhookId, providerId],
        )
      ).rows;
    expect(await refusals(limited.id, provider.id)).toEqual([
      { http_status: 429, code: 'rate_limited', n: 10 },
    ]);
    expect(await refusals(webhook.id, hourly.id)).toEqual([
      { http_status: 429, code: 'provider_rate_limited', n: 10 },
    ]);
  });

  it('refuses what it must with a clear problem and stores no lead', async () => {
    const before = await stack.count('SELECT count(*) AS n FROM ingestion.leads');
    const problem = (res: { body: unknown }) =>
      res.body as { code: string; errors?: { field: string; rule: string }[] };

    const bad = await post(webhook, { firstName: 'Bad', phone: '(212) 555-0123', email: 'not-an-email' });
    expect(bad.status).toBe(422);
    // A refusal after the post was admitted carries the webhook's window as well.
    expect(bad.headers.get('ratelimit-limit')).toBe('100000');
    expect(problem(bad).errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'phone', rule: 'phone_fictional' }),
        expect.objectContaining({ field: 'email', rule: 'email_invalid' }),
      ]),
    );
    const range = await post(webhook, {
      firstName: 'Range',
      email: `r.${Date.now()}@example.com`,
      roof_age: '400',
    });
    expect(range.status).toBe(422);
    expect(problem(range).errors).toEqual([expect.objectContaining({ field: 'roofAge', rule: 'range' })]);

    expect((await post({ id: '00000000-0000-7000-8000-000000000000' }, { firstName: 'X' })).status).toBe(404);
    expect((await post(webhook, { firstName: 'NoCreds', email: 'a@b.co' }, { provider: null })).status).toBe(
      401,
    );
    const wrongKey = await post(
      webhook,
      { firstName: 'K' },
      { provider: { id: provider.id, apiKey: 'lfp_wrong' } },
    );
    expect(wrongKey.status).toBe(401);
    expect(
      (await post(webhook, 'first_name=Text', { headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415);
    expect(
      (await post(webhook, '{"firstName":', { headers: { 'content-type': 'application/json' } })).status,
    ).toBe(400);
    const huge = await post(webhook, { firstName: 'Huge', notes: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);

    const consentHook = await createWebhook({ name: 'Consent only', requireConsent: true });
    const noConsent = await post(consentHook, { firstName: 'Nc', phone: nextPhone() });
    expect(noConsent.status).toBe(422);
    expect(problem(noConsent).errors).toEqual([
      expect.objectContaining({ field: 'consent.granted', rule: 'consent_required' }),
    ]);
    const soft = await post(webhook, { firstName: 'Soft', phone: nextPhone() });
    expect(soft.status).toBe(201);
    const softLead = await api<{ contactable: Record<string, boolean> }>(
      'GET',
      `/api/v1/leads/${soft.body.leadId}`,
    );
    expect(softLead.body.contactable).toEqual({ phone: false, sms: false, email: false });

    const restricted = await createProvider({
      name: 'Only consent hook',
      allowedWebhookIds: [consentHook.id],
    });
    const notAllowed = await post(
      webhook,
      { firstName: 'Na', email: 'na@example.com' },
      { provider: restricted },
    );
    expect(notAllowed.status).toBe(403);
    expect(problem(notAllowed).code).toBe('provider_not_allowed');

    const paused = await createWebhook({ name: 'Paused' });
    expect((await api('PATCH', `/api/v1/webhooks/${paused.id}`, { status: 'paused' })).status).toBe(200);
    const pausedAnswer = await post(paused, { firstName: 'P', email: 'p@example.com' });
    expect(pausedAnswer.status).toBe(423);
    expect(pausedAnswer.headers.get('content-type')).toContain('application/problem+json');

    expect(await stack.count('SELECT count(*) AS n FROM ingestion.leads')).toBe(before + 1);
    const logged = await stack.db.query<{ outcome: string; code: string }>(
      `SELECT outcome, code FROM ingestion.intake_requests WHERE webhook_id = $1 AND outcome = 'rejected' ORDER BY received_at`,
      [webhook.id],
    );
    expect(logged.rows.map((r) => r.code)).toEqual(
      expect.arrayContaining([
        'invalid_lead',
        'unsupported_media_type',
        'malformed_body',
        'provider_not_allowed',
      ]),
    );
    const log = await api<{ items: { outcome: string }[] }>(
      'GET',
      `/api/v1/webhooks/${webhook.id}/requests?outcome=rejected`,
    );
    expect(log.status).toBe(200);
    expect(log.body.items.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses leads beyond the monthly plan quota (free: 500) with 429 quota_exceeded', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const hook = await stack.call<CreatedWebhook>('POST', '/api/v1/webhooks', {
      token: other.accessToken,
      body: { name: 'Free plan vendor', workspaceId: other.workspace.id, vertical: 'generic' },
    });
    const free = await stack.call<CreatedProvider>('POST', '/api/v1/providers', {
      token: other.accessToken,
      body: { name: 'Free plan provider' },
    });
    const postFree = (n: string) =>
      post(hook.body, { firstName: n, email: `${n}.${Date.now()}@example.com` }, { provider: free.body });
    expect((await postFree('first')).status).toBe(201);
    // 499 more leads this month, as the counter seeded from the database would say.
    await redis.set(`${stack.redisPrefix}quota:${other.organization.id}:${month}`, '500');
    const res = await postFree('over');
    expect(res.status).toBe(429);
    expect((res.body as unknown as { code: string }).code).toBe('quota_exceeded');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // The quota is not the webhook's rate window: no RateLimit-* headers describe it.
    expect(res.headers.get('ratelimit-limit')).toBeNull();
    const { rows: logged } = await stack.db.query<Record<string, unknown>>(
      `SELECT http_status, code, provider_id FROM ingestion.intake_requests
        WHERE webhook_id = $1 AND outcome = 'rejected'`,
      [hook.body.id],
    );
    expect(logged).toEqual([{ http_status: 429, code: 'quota_exceeded', provider_id: free.body.id }]);
    // Without the counter, it is counted again from the database: 1 lead, well within the quota.
    await redis.del(`${stack.redisPrefix}quota:${other.organization.id}:${month}`);
    expect((await postFree('again')).status).toBe(201);
    expect(await redis.get(`${stack.redisPrefix}quota:${other.organization.id}:${month}`)).toBe('2');
  });

  it("never shows one tenant's webhooks, providers or leads to another (404)", async () => {
    const lead = await post(webhook, { firstName: 'Private', email: `private.${Date.now()}@example.com` });
    for (const path of [
      `/api/v1/webhooks/${webhook.id}`,
      `/api/v1/providers/${provider.id}`,
      `/api/v1/leads/${lead.body.leadId}`,
      `/api/v1/leads/${lead.body.leadId}/activities`,
    ]) {
      expect((await api('GET', path, undefined, other.accessToken)).status).toBe(404);
    }
    const patch = await api(
      'PATCH',
      `/api/v1/leads/${lead.body.leadId}`,
      { status: 'contacted' },
      other.accessToken,
    );
    expect(patch.status).toBe(404);
    const list = await api<{ items: { id: string; organizationId: string }[] }>(
      'GET',
      '/api/v1/leads?limit=200',
      undefined,
      other.accessToken,
    );
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((l) => l.organizationId === other.organization.id)).toBe(true);
    // Another organization's provider key does not open this organization's webhook.
    const foreign = await stack.call<CreatedProvider>('POST', '/api/v1/providers', {
      body: { name: 'Foreign' },
      token: other.accessToken,
    });
    expect(
      (await post(webhook, { firstName: 'F', email: 'f@example.com' }, { provider: foreign.body })).status,
    ).toBe(401);
  });

  it('works leads: allowed status transitions with history, notes, timeline, filters and search', async () => {
    const res = await post(webhook, {
      firstName: 'Wanda',
      lastName: 'Worker',
      phone: '(415) 777-1234',
      email: `wanda.${Date.now()}@example.com`,
    });
    const id = res.body.leadId;
    const bad = await api<{ code: string }>('PATCH', `/api/v1/leads/${id}`, { status: 'converted' });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe('invalid_status_transition');
    const noReason = await api<{ errors: { field: string; rule: string }[] }>(
      'PATCH',
      `/api/v1/leads/${id}`,
      { status: 'lost' },
    );
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([
      expect.objectContaining({ field: 'statusReason', rule: 'required' }),
    ]);
    expect(
      (await api('PATCH', `/api/v1/leads/${id}`, { status: 'contacted', priority: 5, tags: ['hot'] })).status,
    ).toBe(200);
    expect((await api('PATCH', `/api/v1/leads/${id}`, { status: 'qualified' })).status).toBe(200);
    expect(
      (await api('POST', `/api/v1/leads/${id}/notes`, { body: 'Wants a quote by Friday', type: 'call' }))
        .status,
    ).toBe(201);
    expect(
      (await api('POST', `/api/v1/leads/${id}/activities`, { type: 'call', title: 'Discovery call' })).status,
    ).toBe(201);

    const lead = await api<{
      status: string;
      statusHistory: { from: string; to: string }[];
      contactAttempts: number;
    }>('GET', `/api/v1/leads/${id}`);
    expect(lead.body.status).toBe('qualified');
    expect(lead.body.statusHistory.map((h) => `${h.from}>${h.to}`)).toEqual([
      'new>contacted',
      'contacted>qualified',
    ]);
    expect(lead.body.contactAttempts).toBe(1);
    const timeline = await api<{ items: { type: string }[] }>('GET', `/api/v1/leads/${id}/activities`);
    expect(timeline.body.items.map((a) => a.type)).toEqual([
      'call',
      'note',
      'status_change',
      'update',
      'status_change',
      'created',
    ]);

    const found = await api<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/leads?q=wanda%20777-12&tag=hot&status=qualified',
    );
    expect(found.body.items.map((l) => l.id)).toEqual([id]);
    const page1 = await api<{ items: { id: string }[]; nextCursor: string }>('GET', '/api/v1/leads?limit=2');
    const page2 = await api<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/leads?limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items.some((l) => page1.body.items.some((p) => p.id === l.id))).toBe(false);

    await eventually(
      async () => events.filter((e) => e.key === id).map((e) => e.envelope.type),
      (types) =>
        types.filter((t) => t === 'lead.status_changed').length === 2 && types.includes('lead.updated'),
      { what: 'status and update events of the worked lead' },
    );
  });
});
