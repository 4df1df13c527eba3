import type { Answer, CallOptions } from '@leadflow/platform/testing';

/** What `POST /api/v1/webhooks` answers: the webhook, its intake URL and its signing secret. */
export interface CreatedWebhook {
  id: string;
  url: string;
  secret: string;
}

/** Anything that calls the API (the intake stack, an ApiClient). */
export interface Caller {
  call<T = Record<string, unknown>>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
}

/** The webhook a tenant sets up for a vendor: a solar intake in `workspaceId`, limits out of the way. */
export function webhookBody(
  workspaceId: string,
  settings: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'Vendor',
    workspaceId,
    vertical: 'solar',
    rateLimit: 100_000,
    rateWindowSeconds: 3600,
    ...settings,
  };
}

/**
 * Creates a webhook as `owner` (in its first workspace unless `settings.workspaceId` says
 * otherwise); throws with the answer unless it is a 201.
 */
export async function createWebhook<T extends { id: string } = CreatedWebhook>(
  api: Caller,
  owner: { accessToken: string; workspace: { id: string } },
  settings: Record<string, unknown> = {},
): Promise<T> {
  const res = await api.call<T>('POST', '/api/v1/webhooks', {
    body: webhookBody(owner.workspace.id, settings),
    token: owner.accessToken,
  });
  if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${res.text}`);
  return res.body;
}
