import { eventually, redisAddressOf, startTcpProxy, testRedisUrl } from '@leadflow/platform/testing';
import type { TcpProxy } from '@leadflow/platform/testing';
import { signatureHeader } from '../src/webhooks/webhook-signature';
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
 * What intake does while its Redis is down (a TCP proxy in front of the shared Redis, cut): a
 * signed post, whose replay check cannot run, is refused with 503 and nothing is stored; a post
 * authenticated by provider key needs no replay check and is taken (its rate limits fail open).
 */
describe('intake while Redis is down (gateway + identity + ingestion, real PostgreSQL, Kafka, Redis)', () => {
  let proxy: TcpProxy;
  let stack: IntakeStack;
  let owner: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;
  let n = 0;
  const lead = (): string =>
    JSON.stringify({
      firstName: 'Rhea',
      lastName: `Down${++n}`,
      email: `rhea.down.${n}.${Date.now()}@example.com`,
    });

  const signed = (raw: string, header = signatureHeader(webhook.secret, raw)) =>
    stack.call<{ leadId?: string; code?: string }>('POST', `/webhooks/leads/${webhook.id}`, {
      body: raw,
      headers: { 'content-type': 'application/json', 'LeadFlow-Signature': header },
    });
  const byKey = (raw: string) =>
    stack.call<{ leadId?: string; code?: string }>('POST', `/webhooks/leads/${webhook.id}`, {
      body: raw,
      headers: {
        'content-type': 'application/json',
        'X-Provider-Id': provider.id,
        'X-Provider-Key': provider.apiKey,
      },
    });
  const stored = (): Promise<number> =>
    stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1', [webhook.id]);
  const logged = (): Promise<number> =>
    stack.count('SELECT count(*) AS n FROM ingestion.intake_requests WHERE webhook_id = $1', [webhook.id]);
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${stack.metricsOf(stack.ingestion[0])}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    proxy = await startTcpProxy(redisAddressOf(testRedisUrl()), 14790);
    // Only ingestion reaches Redis through the proxy; the gateway keeps the shared Redis.
    stack = new IntakeStack('intake-redis-down', {
      basePort: 14750,
      ingestionEnv: { REDIS_URL: proxy.via(testRedisUrl()) },
    });
    await stack.start();
    owner = await stack.register('rhea');
    await stack.unlimitedPlan(owner);
    webhook = await webhooks.createWebhook<CreatedWebhook>(stack, owner, {
      name: 'Redis-down vendor',
      vertical: 'generic',
    });
    provider = await providers.createProvider<CreatedProvider>(stack, owner, {
      name: 'Redis-down Leads',
      hourlyLimit: 1_000_000,
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('refuses a signed post with 503 replay_protection_unavailable, storing nothing, and takes provider-key posts', async () => {
    // Redis up: both kinds of post are taken.
    expect((await signed(lead())).status).toBe(201);
    expect((await byKey(lead())).status).toBe(201);
    const leadsBefore = await stored();
    const logBefore = await logged();
    const failuresBefore = await metric('ingestion_replay_check_failures_total');

    proxy.cut();
    const raw = lead();
    const header = signatureHeader(webhook.secret, raw);
    const refused = await signed(raw, header);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ status: 503, code: 'replay_protection_unavailable' });
    expect(await stored()).toBe(leadsBefore);
    expect(await logged()).toBe(logBefore);
    expect(await metric('ingestion_replay_check_failures_total')).toBe(failuresBefore + 1);

    // No replay check needed: taken, its rate limits failing open.
    const viaKey = await byKey(lead());
    expect(viaKey.status).toBe(201);
    expect(await stored()).toBe(leadsBefore + 1);

    // Redis back: the vendor's retry of the very same signed post is taken (nothing was claimed).
    proxy.restore();
    const retried = await eventually(
      () => signed(raw, header),
      (answer) => answer.status !== 503,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the signed retry to be taken once Redis is back' },
    );
    expect(retried.status).toBe(201);
    expect(await stored()).toBe(leadsBefore + 2);
    // And replay protection works again: the same signature a second time is a replay.
    const replayed = await signed(raw, header);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ code: 'signature_replayed' });
  });
});
