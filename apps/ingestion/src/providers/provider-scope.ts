/** What decides where a provider may post: its workspace scope and its allowed webhooks. */
export interface ProviderReach {
  /** The workspaces it serves; null: every workspace of the organization. */
  workspaceIds: readonly string[] | null;
  /** Webhooks it may post to; empty: every webhook of its workspaces. */
  allowedWebhookIds: readonly string[];
}

/**
 * Whether a provider may post to a webhook: the webhook must be in the provider's workspaces
 * (whatever its allowed list says, so a webhook moved to another workspace leaves its reach), and
 * in its allowed webhooks unless that list is empty.
 */
export function providerMayPost(
  provider: ProviderReach,
  webhook: { id: string; workspaceId: string },
): boolean {
  if (provider.workspaceIds !== null && !provider.workspaceIds.includes(webhook.workspaceId)) return false;
  return provider.allowedWebhookIds.length === 0 || provider.allowedWebhookIds.includes(webhook.id);
}
