import type { Caller } from './webhook.factory';

/** What `POST /api/v1/providers` answers: the provider and its key (shown once). */
export interface CreatedProvider {
  id: string;
  apiKey: string;
}

/** Creates a lead provider (a vendor) as `owner`; throws with the answer unless it is a 201. */
export async function createProvider<T extends { id: string } = CreatedProvider>(
  api: Caller,
  owner: { accessToken: string },
  settings: Record<string, unknown> = {},
): Promise<T> {
  const res = await api.call<T>('POST', '/api/v1/providers', {
    body: { name: 'Vendor Co', ...settings },
    token: owner.accessToken,
  });
  if (res.status !== 201) throw new Error(`create provider: ${res.status} ${res.text}`);
  return res.body;
}

/** The headers a vendor authenticates an intake post with. */
export const providerHeaders = (provider: { id: string; apiKey: string }): Record<string, string> => ({
  'X-Provider-Id': provider.id,
  'X-Provider-Key': provider.apiKey,
});
