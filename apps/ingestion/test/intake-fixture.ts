import { Topics } from '@leadflow/contracts';
import { phoneSequence } from '@leadflow/platform/testing';
import Redis from 'ioredis';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import type { ConsumedEvent, Registered } from './stack';
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
}

/** Registers the fixture's `beforeAll`/`afterAll` in the calling `describe` and returns it. */
export function useIntakeFixture(name: string): IntakeFixture {
  const fx = { stack: new IntakeStack(name, { basePort: 14200, ingestionInstances: 2 }) } as IntakeFixture;

  beforeAll(async () => {
    const { stack } = fx;
    await stack.start();
    fx.owner = await stack.register('ivy');
    fx.other = await stack.register('oscar');
    fx.events = await stack.consume([Topics.ingestionLeads, Topics.ingestionContacts]);
    // The bulk tests need more than the free plan's 500 leads a month.
    await stack.unlimitedPlan(fx.owner);
    fx.webhook = await webhooks.createWebhook<CreatedWebhook>(stack, fx.owner, { name: 'Solar vendor' });
    fx.provider = await providers.createProvider<CreatedProvider>(stack, fx.owner, {
      name: 'SunLeads',
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
