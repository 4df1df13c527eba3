import type { DedupScope } from '../webhooks/webhook.entity';

/** Whose external ids are unique together: the provider's, else the webhook's. */
export function sourceKeyOf(source: { providerId: string | null; webhookId: string }): string {
  return source.providerId ?? `webhook:${source.webhookId}`;
}

/** Within which set of contacts a person is looked up: the organization's, or the webhook's own. */
export function dedupScopeOf(source: { dedup: { scope: DedupScope }; webhookId: string }): string {
  return source.dedup.scope === 'organization' ? 'organization' : `webhook:${source.webhookId}`;
}
