import { Topics } from '@leadflow/contracts';
import { phoneSequence } from '@leadflow/platform/testing';
import Redis from 'ioredis';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import type { Answer, ConsumedEvent, Registered } from './stack';
import { IntakeStack, testRedisUrl } from './stack';

export interface CreatedWebhook {
  id: string;
  url: string;
  secret: string;
}
export interface CreatedProvider {
  id: string;
  apiKey: string;
}
export interface IntakeBody {
  leadId: string;
  contactId: string;
  status: string;
  duplicate?: boolean;
  originalLeadId?: string;
  replayed?: boolean;
}

/** A fresh, structurally valid US number in a readable vendor format: (415) 62X-XXXX. */
export const nextPhone = phoneSequence('415', '62');

/**
 * What every intake spec boots once in its `beforeAll`: the stack (identity, two ingestion
 * instances, gateway), two signed-up organizations (`owner` on the enterprise plan, `other` on the
 * free one), a solar webhook and a provider of `owner`, the lead and contact events, and Redis.
 * The fields are set once the `beforeAll` it registers has run.
 */
export interface IntakeFixture {
  stack: IntakeStack;
  owner: Registered;
  other: Registered;
  webhook: CreatedWebhook;
  provider: CreatedProvider;
  events: ConsumedEvent[];
  redis: Redis;
  /** A JSON call through the gateway as `owner` (or with `token`). */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<Answer<T>>;
  /** A solar webhook of `owner` ('Solar vendor' unless `settings` say otherwise). */
  createWebhook(settings?: Record<string, unknown>): Promise<CreatedWebhook>;
  /** A provider of `owner` ('SunLeads' unless `settings` say otherwise). */
  createProvider(settings?: Record<string, unknown>): Promise<CreatedProvider>;
  /** A vendor post with provider credentials (JSON unless told otherwise). */
  post(
    hook: { id: string },
    body: unknown,
    options?: { provider?: CreatedProvider | null; headers?: Record<string, string>; base?: string },
  ): Promise<Answer<IntakeBody>>;
  /** A signed post (LeadFlow-Signature) of a raw body. */
  signedPost(
    hook: CreatedWebhook,
    raw: string,
    header: string,
    contentType?: string,
  ): Promise<Answer<IntakeBody>>;
  leadCount(webhookId: string): Promise<number>;
}

/** Registers the fixture's `beforeAll`/`afterAll` in the calling `describe` and returns it. */
export function useIntakeFixture(name: string): IntakeFixture {
  const fx = { stack: new IntakeStack(name, { basePort: 14200, ingestionInstances: 2 }) } as IntakeFixture;

  fx.api = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token = fx.owner.accessToken,
  ) => fx.stack.call<T>(method, path, { body, token });

  fx.createWebhook = (settings: Record<string, unknown> = {}): Promise<CreatedWebhook> =>
    webhooks.createWebhook<CreatedWebhook>(fx.stack, fx.owner, { name: 'Solar vendor', ...settings });

  fx.createProvider = (settings: Record<string, unknown> = {}): Promise<CreatedProvider> =>
    providers.createProvider<CreatedProvider>(fx.stack, fx.owner, { name: 'SunLeads', ...settings });

  /** A vendor post with provider credentials (JSON unless told otherwise). */
  fx.post = (
    hook: { id: string },
    body: unknown,
    options: { provider?: CreatedProvider | null; headers?: Record<string, string>; base?: string } = {},
  ) => {
    const p = options.provider === undefined ? fx.provider : options.provider;
    return fx.stack.call<IntakeBody>('POST', `/webhooks/leads/${hook.id}`, {
      body,
      base: options.base,
      headers: {
        ...(p ? { 'X-Provider-Id': p.id, 'X-Provider-Key': p.apiKey } : {}),
        ...options.headers,
      },
    });
  };

  fx.signedPost = (hook: CreatedWebhook, raw: string, header: string, contentType = 'application/json') =>
    fx.stack.call<IntakeBody>('POST', `/webhooks/leads/${hook.id}`, {
      body: raw,
      headers: { 'content-type': contentType, 'LeadFlow-Signature': header },
    });

  fx.leadCount = (webhookId: string): Promise<number> =>
    fx.stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1', [webhookId]);

  beforeAll(async () => {
    const { stack } = fx;
    await stack.start();
    fx.owner = await stack.register('ivy');
    fx.other = await stack.register('oscar');
    fx.events = await stack.consume([Topics.ingestionLeads, Topics.ingestionContacts]);
    // The bulk tests need more than the free plan's 500 leads a month.
    await stack.unlimitedPlan(fx.owner);
    fx.webhook = await fx.createWebhook();
    fx.provider = await fx.createProvider({
      costPerLead: '12.50',
      hourlyLimit: 1_000_000,
    });
    fx.redis = new Redis(testRedisUrl());
  }, 240_000);

  afterAll(async () => {
    fx.redis?.disconnect();
    await fx.stack.stop();
  });

  return fx;
}
