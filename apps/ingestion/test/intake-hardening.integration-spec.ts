import { eventually } from '@leadflow/platform/testing';
import { Client } from 'pg';
import type { Registered } from './stack';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack } from './stack';

interface CreatedWebhook {
  id: string;
  secret: string;
}
interface CreatedProvider {
  id: string;
  apiKey: string;
}

/**
 * What intake does under abuse and failure: what the request log keeps of refused posts and for
 * how long, through the gateway against real PostgreSQL, Kafka and Redis.
 */
describe('intake hardening (gateway + identity + ingestion, real PostgreSQL, Kafka, Redis)', () => {
  const stack = new IntakeStack('intake-hardening', {
    basePort: 14800,
    ingestionEnv: {
      INTAKE_REQUEST_PRUNE_INTERVAL_SECONDS: '1',
      // Small bounds, so that a blocked database shows them (see 'a database that cannot keep up').
      INTAKE_QUEUE_MAX_POSTS: '10',
      INTAKE_POST_DEADLINE_MS: '2000',
      DATABASE_LOCK_TIMEOUT_MS: '1500',
    },
  });
  let owner: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;

  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    stack.call<T>(method, path, { body, token: owner.accessToken });

  const post = (
    hook: { id: string },
    body: unknown,
    options: { provider?: CreatedProvider | null; headers?: Record<string, string>; base?: string } = {},
  ) => {
    const p = options.provider === undefined ? provider : options.provider;
    return stack.call<{ leadId: string; code?: string }>('POST', `/webhooks/leads/${hook.id}`, {
      body,
      base: options.base,
      headers: { ...(p ? { 'X-Provider-Id': p.id, 'X-Provider-Key': p.apiKey } : {}), ...options.headers },
    });
  };

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('hedda');
    await stack.unlimitedPlan(owner);
    webhook = await webhooks.createWebhook<CreatedWebhook>(stack, owner, {
      name: 'Hardened vendor',
      vertical: 'generic',
    });
    provider = await providers.createProvider<CreatedProvider>(stack, owner, {
      name: 'Hardened Leads',
      hourlyLimit: 1_000_000,
    });
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  describe('the request log of refused posts', () => {
    const big = (fill: string) => JSON.stringify({ firstName: 'Big', note: fill.repeat(200_000) });

    it("keeps no body of a 401, only the first 8 KB of another refusal's, and says so", async () => {
      const anonymous = big('a');
      const unauthorized = await post(webhook, anonymous, { provider: null });
      expect(unauthorized.status).toBe(401);
      const refusedLead = big('b').replace('"firstName":"Big"', '"firstName":"Big","phone":"12"');
      const invalid = await post(webhook, refusedLead);
      expect(invalid.status).toBe(422);

      const { rows } = await stack.db.query<{
        id: string;
        http_status: number;
        kept: number | null;
        bytes: number;
      }>(
        `SELECT id, http_status, octet_length(raw_body) AS kept, raw_body_bytes AS bytes
           FROM ingestion.intake_requests WHERE webhook_id = $1 ORDER BY received_at`,
        [webhook.id],
      );
      expect(rows.map((r) => ({ status: r.http_status, kept: r.kept, bytes: r.bytes }))).toEqual([
        { status: 401, kept: null, bytes: Buffer.byteLength(anonymous) },
        { status: 422, kept: 8192, bytes: Buffer.byteLength(refusedLead) },
      ]);
      const detail = await api<{ rawBody: string; rawBodyTruncated: boolean; rawBodyBytes: number }>(
        'GET',
        `/api/v1/webhooks/${webhook.id}/requests/${rows[1].id}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        rawBodyTruncated: true,
        rawBodyBytes: Buffer.byteLength(refusedLead),
      });
      expect(refusedLead.startsWith(detail.body.rawBody)).toBe(true);
      const none = await api<{ rawBody: string | null }>(
        'GET',
        `/api/v1/webhooks/${webhook.id}/requests/${rows[0].id}`,
      );
      expect(none.body.rawBody).toBeNull();
    });

    it('drops bodies after 30 days and rows after 400, in bounded batches over many rows', async () => {
      const hook = await api<CreatedWebhook>('POST', '/api/v1/webhooks', {
        name: 'Old vendor',
        workspaceId: owner.workspace.id,
        vertical: 'generic',
      });
      const insert = (count: number, age: string) =>
        stack.db.query(
          `INSERT INTO ingestion.intake_requests (id, organization_id, workspace_id, webhook_id, outcome, http_status,
              errors, raw_body, raw_body_bytes, received_at)
           SELECT gen_random_uuid(), $1, $2, $3, 'accepted', 201, '[]', convert_to('{"n":' || n || '}', 'UTF8'), 8,
                  now() - $5::interval - n * interval '1 second'
             FROM generate_series(1, $4::int) AS n`,
          [owner.organization.id, owner.workspace.id, hook.body.id, count, age],
        );
      await insert(12_000, '31 days'); // more than two batches of bodies to drop
      await insert(6_000, '401 days'); // more than a batch of rows to delete
      await insert(5, '29 days'); // kept whole
      const state = () =>
        stack.db
          .query<{ rows: number; bodies: number }>(
            `SELECT count(*)::int AS rows, count(raw_body)::int AS bodies FROM ingestion.intake_requests
              WHERE webhook_id = $1`,
            [hook.body.id],
          )
          .then((r) => r.rows[0]);
      expect(
        await eventually(state, (s) => s.rows === 12_005 && s.bodies === 5, {
          timeoutMs: 30_000,
          what: 'the request log to be pruned',
        }),
      ).toEqual({ rows: 12_005, bodies: 5 });
      const fresh = await stack.count(
        `SELECT count(*) AS n FROM ingestion.intake_requests
          WHERE webhook_id = $1 AND raw_body IS NOT NULL AND received_at > now() - interval '30 days'`,
        [hook.body.id],
      );
      expect(fresh).toBe(5);
    });
  });

  describe('a database that cannot keep up', () => {
    it('refuses posts past the queue bound at once and past their deadline with 503 + Retry-After; stores none; then recovers', async () => {
      const leads = () =>
        stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1', [webhook.id]);
      const before = await leads();
      // Another session holds the request log: the next batch's COPY into it waits for the lock.
      const blocker = new Client({ connectionString: stack.databaseUrl });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE ingestion.intake_requests IN ACCESS EXCLUSIVE MODE');
        const lead = (i: number) => ({ firstName: 'Queued', email: `queued-${i}@example.com` });
        // The one writer takes the first post and waits on the lock...
        const first = post(webhook, lead(0));
        await eventually(
          () =>
            stack.count(
              `SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'ingestion' AND wait_event_type = 'Lock'`,
            ),
          (n) => n > 0,
          { timeoutMs: 10_000, what: 'the first batch to wait for the lock' },
        );
        // ...so the next posts queue: ten wait (INTAKE_QUEUE_MAX_POSTS), the rest are refused.
        const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => post(webhook, lead(i + 1))));
        const answers = [await first, ...burst];
        const codes = answers.map((a) => `${a.status} ${a.body.code}`);
        expect(codes.filter((c) => c === '503 intake_overloaded')).toHaveLength(15);
        // The ten queued ones waited past INTAKE_POST_DEADLINE_MS for the blocked writer.
        expect(codes.filter((c) => c === '503 intake_timeout')).toHaveLength(10);
        // The one in the batch gave up on its lock (DATABASE_LOCK_TIMEOUT_MS, after its retries).
        expect(codes[0]).toBe('503 database_busy');
        for (const answer of answers) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }
      // Nothing of a refused post was stored; the vendor's retry is taken as a new post.
      expect(await leads()).toBe(before);
      const retried = await post(webhook, { firstName: 'Queued', email: 'queued-1@example.com' });
      expect(retried.status).toBe(201);
      expect(await leads()).toBe(before + 1);
    }, 60_000);
  });
});
