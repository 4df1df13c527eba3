import { freshWindow } from '@leadflow/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { signatureHeader } from '../src/webhooks/webhook-signature';
import { useIntakeFixture } from './intake-fixture';
import type { CreatedProvider, CreatedWebhook } from './intake-fixture';
import type { Registered } from './stack';

/** The log of vendor posts: refusals with status and code, one post as received, filters and pages, retries of failed writes. */
describe('the intake request log (gateway + identity + 2 ingestion instances, real PostgreSQL, Kafka, Redis)', () => {
  const fx = useIntakeFixture('intake-log');
  const { stack, api, createWebhook, createProvider, post, signedPost, leadCount } = fx;
  let other: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;

  beforeAll(() => {
    ({ other, webhook, provider } = fx);
  });

  it('logs each refusal of a known webhook with status and code (401s within a budget a minute), announcing only 403s', async () => {
    // Counted in epoch-aligned windows: the webhook's hour and the refusal log's minute. Start
    // where neither ends mid-test.
    const hour = await freshWindow(3_600_000, 120_000);
    const hook = await createWebhook({ name: 'Refusal log', rateLimit: 3, rateWindowSeconds: 3600 });
    const retired = await createProvider({ name: 'Retired' });
    expect((await api('PATCH', `/api/v1/providers/${retired.id}`, { active: false })).status).toBe(200);
    const lead = (n: string) => ({ firstName: n, email: `${n}.${Date.now()}.${Math.random()}@example.com` });
    const codeOf = (res: { body: unknown }) => (res.body as { code: string }).code;

    const inactive = await post(hook, lead('inactive'), { provider: retired });
    expect([inactive.status, codeOf(inactive)]).toEqual([403, 'provider_inactive']);
    for (const n of ['a', 'b', 'c']) expect((await post(hook, lead(n))).status).toBe(201);
    const limited = await post(hook, lead('over'));
    expect([limited.status, codeOf(limited)]).toEqual([429, 'rate_limited']);

    // 65 posts without credentials within one fixed minute: 60 logged, 5 only counted.
    const unlogged = async () => {
      const metrics = await (await fetch(`${stack.metricsOf(stack.ingestion[0])}/metrics`)).text();
      const line =
        /^ingestion_intake_refusals_unlogged_total\{[^}]*code="credentials_required"[^}]*\} (\d+)/m;
      return Number(line.exec(metrics)?.[1] ?? 0);
    };
    const before = await unlogged();
    const minute = await freshWindow(60_000, 30_000);
    const anonymous = await Promise.all(
      Array.from({ length: 65 }, (_, i) => post(hook, lead(`anon${i}`), { provider: null })),
    );
    expect({ sameWindows: minute.current() && hour.current() }).toEqual({ sameWindows: true });
    expect(anonymous.map(codeOf)).toEqual(Array(65).fill('credentials_required'));
    expect((await unlogged()) - before).toBe(5);

    const { rows } = await stack.db.query<Record<string, unknown>>(
      `SELECT outcome, http_status, code, provider_id, count(*)::int AS n FROM ingestion.intake_requests
        WHERE webhook_id = $1 GROUP BY 1, 2, 3, 4 ORDER BY 2`,
      [hook.id],
    );
    expect(rows).toEqual([
      { outcome: 'accepted', http_status: 201, code: null, provider_id: provider.id, n: 3 },
      { outcome: 'rejected', http_status: 401, code: 'credentials_required', provider_id: null, n: 60 },
      { outcome: 'rejected', http_status: 403, code: 'provider_inactive', provider_id: retired.id, n: 1 },
      { outcome: 'rejected', http_status: 429, code: 'rate_limited', provider_id: provider.id, n: 1 },
    ]);
    const log = await api<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/v1/webhooks/${hook.id}/requests?outcome=rejected&limit=200`,
    );
    expect(log.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ httpStatus: 403, code: 'provider_inactive', providerId: retired.id }),
        expect.objectContaining({ httpStatus: 429, code: 'rate_limited', providerId: provider.id }),
        expect.objectContaining({ httpStatus: 401, code: 'credentials_required', providerId: null }),
      ]),
    );
    // lead.rejected is about the source's leads: a refused provider, not volume or unknown senders.
    const { rows: announced } = await stack.db.query<{ code: string; provider: string }>(
      `SELECT (value::jsonb)->'payload'->>'code' AS code, (value::jsonb)->'payload'->>'providerId' AS provider
         FROM ingestion.outbox WHERE type = 'lead.rejected' AND (value::jsonb)->'payload'->>'webhookId' = $1`,
      [hook.id],
    );
    expect(announced).toEqual([{ code: 'provider_inactive', provider: retired.id }]);

    // A paused or archived webhook keeps nothing, whoever posts.
    const paused = await createWebhook({ name: 'Paused log' });
    expect((await api('PATCH', `/api/v1/webhooks/${paused.id}`, { status: 'paused' })).status).toBe(200);
    const archived = await createWebhook({ name: 'Archived log' });
    expect((await api('DELETE', `/api/v1/webhooks/${archived.id}`)).status).toBe(204);
    expect((await post(paused, lead('paused'))).status).toBe(423);
    expect((await post(paused, lead('paused'), { provider: null })).status).toBe(423);
    expect((await post(archived, lead('archived'))).status).toBe(410);
    expect(
      await stack.count('SELECT count(*) AS n FROM ingestion.intake_requests WHERE webhook_id = ANY($1)', [
        [paused.id, archived.id],
      ]),
    ).toBe(0);
  });

  it('shows one logged post with its body exactly as received, to its organization only', async () => {
    const hook = await createWebhook({ name: 'Detail vendor' });
    const stamp = Date.now();
    const raw = `{ "firstName" : "Zoë",\n\t"email": "zoe.${stamp}@example.com" ,"note":"  ✓ kept  " }  `;
    const accepted = await post(hook, raw, {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'SunLeads-Poster/2.1',
        'idempotency-key': `detail-${stamp}`,
      },
    });
    expect(accepted.status).toBe(201);
    const requestOf = async (where: string, params: unknown[]): Promise<string> => {
      const { rows } = await stack.db.query<{ id: string }>(
        `SELECT id FROM ingestion.intake_requests WHERE ${where}`,
        params,
      );
      expect(rows).toHaveLength(1);
      return rows[0].id;
    };
    const acceptedId = await requestOf('lead_id = $1', [accepted.body.leadId]);
    const detail = await api<Record<string, unknown>>(
      'GET',
      `/api/v1/webhooks/${hook.id}/requests/${acceptedId}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({
      id: acceptedId,
      webhookId: hook.id,
      providerId: provider.id,
      outcome: 'accepted',
      httpStatus: 201,
      code: null,
      errors: [],
      leadId: accepted.body.leadId,
      idempotencyKey: `detail-${stamp}`,
      contentType: 'application/json; charset=utf-8',
      userAgent: 'SunLeads-Poster/2.1',
      ip: expect.any(String),
      rawBody: raw,
      rawBodyEncoding: 'utf8',
      rawBodyBytes: Buffer.byteLength(raw),
      rawBodyTruncated: false,
      receivedAt: expect.any(String),
    });

    // Bytes that are not UTF-8 come back base64, unchanged.
    const bytes = Buffer.concat([Buffer.from('first_name=Ren'), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])]);
    const refused = await post(hook, bytes, { headers: { 'content-type': 'text/plain' } });
    expect(refused.status).toBe(415);
    const refusedId = await requestOf(`webhook_id = $1 AND code = 'unsupported_media_type'`, [hook.id]);
    const binary = await api<{ rawBody: string; rawBodyEncoding: string; httpStatus: number; code: string }>(
      'GET',
      `/api/v1/webhooks/${hook.id}/requests/${refusedId}`,
    );
    expect(binary.body).toMatchObject({
      rawBodyEncoding: 'base64',
      httpStatus: 415,
      code: 'unsupported_media_type',
    });
    expect(Buffer.from(binary.body.rawBody, 'base64').equals(bytes)).toBe(true);

    // Another organization, another webhook of the same one, or an unknown id: 404 problem.
    const foreign = await api<{ code: string }>(
      'GET',
      `/api/v1/webhooks/${hook.id}/requests/${acceptedId}`,
      undefined,
      other.accessToken,
    );
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    expect(foreign.body.code).toBe('not_found');
    expect((await api('GET', `/api/v1/webhooks/${webhook.id}/requests/${acceptedId}`)).status).toBe(404);
    expect(
      (await api('GET', `/api/v1/webhooks/${hook.id}/requests/00000000-0000-7000-8000-000000000000`)).status,
    ).toBe(404);
    expect((await api('GET', `/api/v1/webhooks/${hook.id}/requests/not-an-id`)).status).toBe(400);
  });

  it('filters the request log by provider and period, pages it, and names a bad parameter', async () => {
    const hook = await createWebhook({ name: 'Filtered vendor' });
    const second = await createProvider({ name: 'Second vendor' });
    const lead = (n: string) => ({ firstName: n, email: `${n}.${Date.now()}@example.com` });
    const first = await post(hook, lead('first'));
    await sleep(20);
    const mid = new Date().toISOString();
    await sleep(20);
    const bySecond = await post(hook, lead('second'), { provider: second });
    const last = await post(hook, lead('last'));
    expect([first.status, bySecond.status, last.status]).toEqual([201, 201, 201]);

    const list = (query: string) =>
      api<{ items: { leadId: string }[]; nextCursor: string | null }>(
        'GET',
        `/api/v1/webhooks/${hook.id}/requests?${query}`,
      );
    const leadsOf = async (query: string) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      return res.body.items.map((r) => r.leadId);
    };
    expect(await leadsOf(`providerId=${second.id}`)).toEqual([bySecond.body.leadId]);
    expect(await leadsOf(`providerId=${provider.id}`)).toEqual([last.body.leadId, first.body.leadId]);
    expect(await leadsOf(`from=${mid}`)).toEqual([last.body.leadId, bySecond.body.leadId]);
    expect(await leadsOf(`to=${mid}`)).toEqual([first.body.leadId]);
    expect(await leadsOf(`from=${mid}&providerId=${provider.id}&outcome=accepted`)).toEqual([
      last.body.leadId,
    ]);
    expect(await leadsOf(`from=${mid}&outcome=rejected`)).toEqual([]);

    const page1 = await list(`from=${mid}&limit=1`);
    expect(page1.body.items.map((r) => r.leadId)).toEqual([last.body.leadId]);
    const page2 = await list(`from=${mid}&limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((r) => r.leadId)).toEqual([bySecond.body.leadId]);
    expect(page2.body.nextCursor).toBeNull();

    for (const [query, field, rule] of [
      ['from=yesterday', 'from', 'isIso8601'],
      ['to=2026-13-01T00:00:00Z', 'to', 'isIso8601'],
      ['from=2026-W01', 'from', 'isIso8601'],
      [`from=${mid}&to=${mid}`, 'from', 'range'],
      ['providerId=nope', 'providerId', 'isUuid'],
    ]) {
      const bad = await api<{ errors: { field: string; rule: string }[] }>(
        'GET',
        `/api/v1/webhooks/${hook.id}/requests?${query}`,
      );
      expect([query, bad.status]).toEqual([query, 422]);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors).toEqual([expect.objectContaining({ field, rule })]);
    }
  });

  it('takes the identical retry of a signed post whose write failed (5xx); replays stay refused, also concurrent ones', async () => {
    const hook = await createWebhook({ name: 'Flaky store', requireSignature: true });
    const body = JSON.stringify({ firstName: 'Flaky', email: `flaky.${Date.now()}@example.com` });
    const header = signatureHeader(hook.secret, body);
    // Fault injection in the real database: this lead's insert fails, once.
    await stack.db.query(`CREATE FUNCTION ingestion.test_refuse_flaky() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.first_name = 'Flaky' THEN RAISE EXCEPTION 'storage failed'; END IF; RETURN NEW; END $$`);
    await stack.db.query(`CREATE TRIGGER test_refuse_flaky BEFORE INSERT ON ingestion.leads
        FOR EACH ROW EXECUTE FUNCTION ingestion.test_refuse_flaky()`);
    try {
      expect((await signedPost(hook, body, header)).status).toBe(500);
    } finally {
      await stack.db.query('DROP TRIGGER test_refuse_flaky ON ingestion.leads');
      await stack.db.query('DROP FUNCTION ingestion.test_refuse_flaky()');
    }
    const retry = await signedPost(hook, body, header);
    expect(retry.status).toBe(201);
    const replay = await signedPost(hook, body, header);
    expect([replay.status, (replay.body as unknown as { code: string }).code]).toEqual([
      401,
      'signature_replayed',
    ]);

    const burst = JSON.stringify({ firstName: 'Burst', email: `signed.burst.${Date.now()}@example.com` });
    const burstHeader = signatureHeader(hook.secret, burst);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        stack.call<{ code: string }>('POST', `/webhooks/leads/${hook.id}`, {
          body: burst,
          base: stack.ingestion[i % 2],
          headers: { 'content-type': 'application/json', 'LeadFlow-Signature': burstHeader },
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401 && a.body.code === 'signature_replayed')).toHaveLength(5);
    expect(await leadCount(hook.id)).toBe(2);
  });
});
