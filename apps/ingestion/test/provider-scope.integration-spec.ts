import { Topics } from '@leadflow/contracts';
import { eventually, openedMailToken } from '@leadflow/platform/testing';
import type { Answer, ConsumedEvent, Registered } from './stack';
import { IntakeStack } from './stack';

interface ProviderView {
  id: string;
  apiKey?: string;
  workspaceIds: string[] | null;
  allowedWebhookIds: string[];
}
interface Problem {
  code: string;
  errors?: { field: string; rule: string }[];
}

/**
 * Providers have a workspace scope: a workspace-limited manager sees, changes and creates only
 * providers within their workspaces, and a provider's key posts only into its workspaces' webhooks
 * — through the gateway, with a real member invited into one workspace.
 */
describe('provider workspace scope (gateway + identity + ingestion, real PostgreSQL, Kafka, Redis)', () => {
  const stack = new IntakeStack('provider-scope', { basePort: 14700 });
  let owner: Registered;
  let events: ConsumedEvent[];
  let wsA: string;
  let wsB: string;
  let hookA: string;
  let hookB: string;
  let manager: string;

  const as =
    (token: () => string) =>
    <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> =>
      stack.call<T>(method, path, { body, token: token() });
  const asOwner = as(() => owner.accessToken);
  const asManager = as(() => manager);

  const createWebhook = async (workspaceId: string): Promise<string> => {
    const res = await asOwner<{ id: string }>('POST', '/api/v1/webhooks', {
      name: `Hook of ${workspaceId}`,
      workspaceId,
      vertical: 'generic',
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  const postLead = (webhookId: string, provider: { id: string; apiKey?: string }) =>
    stack.call('POST', `/webhooks/leads/${webhookId}`, {
      body: { firstName: 'Scoped', email: `scoped.${Date.now()}.${Math.random()}@example.com` },
      headers: { 'X-Provider-Id': provider.id, 'X-Provider-Key': provider.apiKey ?? '' },
    });

  const problem = (res: Answer): Problem => res.body as unknown as Problem;

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('petra');
    events = await stack.consume([Topics.identityUsers]);
    wsA = owner.workspace.id;
    const second = await asOwner<{ id: string }>('POST', '/api/v1/workspaces', {
      name: 'Client B',
      kind: 'client',
    });
    expect(second.status).toBe(201);
    wsB = second.body.id;
    hookA = await createWebhook(wsA);
    hookB = await createWebhook(wsB); // waits for ingestion's copy of workspace B

    // A manager limited to workspace A, invited and accepted as a person would.
    const invited = await asOwner<{ id: string }>('POST', '/api/v1/members', {
      email: `mara.${Date.now()}@example.com`,
      role: 'manager',
      workspaceIds: [wsA],
    });
    expect(invited.status).toBe(201);
    const event = await eventually(
      async () => events.find((e) => e.envelope.type === 'user.invited' && e.key === invited.body.id),
      (found) => found !== undefined,
      { what: 'user.invited for the manager' },
    );
    const accepted = await stack.call<{ accessToken: string }>('POST', '/api/v1/invitations/accept', {
      body: {
        token: openedMailToken(
          (event as { envelope: { type: string; payload: Record<string, unknown> } }).envelope,
        ),
        name: 'Mara',
        password: 'violet-anchor-harbor-42',
      },
    });
    expect(accepted.status).toBe(200);
    manager = accepted.body.accessToken;
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  it("hides organization-wide and other workspaces' providers from a workspace-limited manager (404)", async () => {
    const orgWide = await asOwner<ProviderView>('POST', '/api/v1/providers', {
      name: 'Everywhere Leads',
      allowedWebhookIds: [hookB],
    });
    expect(orgWide.status).toBe(201);
    expect(orgWide.body.workspaceIds).toBeNull();
    const ofB = await asOwner<ProviderView>('POST', '/api/v1/providers', {
      name: 'B Leads',
      workspaceIds: [wsB],
    });
    expect(ofB.status).toBe(201);
    expect(ofB.body.workspaceIds).toEqual([wsB]);

    const listed = await asManager<{ items: ProviderView[] }>('GET', '/api/v1/providers?limit=200');
    expect(listed.status).toBe(200);
    const ids = listed.body.items.map((p) => p.id);
    expect(ids).not.toContain(orgWide.body.id);
    expect(ids).not.toContain(ofB.body.id);
    expect(listed.body.items.flatMap((p) => p.allowedWebhookIds)).not.toContain(hookB);

    for (const id of [orgWide.body.id, ofB.body.id]) {
      expect((await asManager('GET', `/api/v1/providers/${id}`)).status).toBe(404);
      expect((await asManager('GET', `/api/v1/providers/${id}/usage`)).status).toBe(404);
      expect((await asManager('PATCH', `/api/v1/providers/${id}`, { hourlyLimit: 5 })).status).toBe(404);
      expect((await asManager('POST', `/api/v1/providers/${id}/rotate-key`)).status).toBe(404);
    }
    // The vendor's key still works: nothing was rotated.
    expect((await postLead(hookB, orgWide.body)).status).toBe(201);

    const ownerList = await asOwner<{ items: ProviderView[] }>('GET', '/api/v1/providers?limit=200');
    expect(ownerList.body.items.map((p) => p.id)).toEqual(
      expect.arrayContaining([orgWide.body.id, ofB.body.id]),
    );
  });

  it("scopes a limited manager's new provider to their workspaces, so its key cannot post into another's", async () => {
    const created = await asManager<ProviderView>('POST', '/api/v1/providers', { name: 'A Leads' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ workspaceIds: [wsA], allowedWebhookIds: [] });

    // Empty allowedWebhookIds: every webhook of the provider's workspaces, not of the organization.
    expect((await postLead(hookA, created.body)).status).toBe(201);
    const refused = await postLead(hookB, created.body);
    expect(refused.status).toBe(403);
    expect(problem(refused).code).toBe('provider_not_allowed');
    expect(
      await stack.count(
        'SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1 AND provider_id = $2',
        [hookB, created.body.id],
      ),
    ).toBe(0);

    const listed = await asManager<{ items: ProviderView[] }>('GET', '/api/v1/providers?limit=200');
    expect(listed.body.items.map((p) => p.id)).toEqual([created.body.id]);
    expect((await asManager('POST', `/api/v1/providers/${created.body.id}/rotate-key`)).status).toBe(200);
  });

  it('refuses a limited manager an organization-wide provider, another workspace, or its webhooks', async () => {
    const orgWide = await asManager('POST', '/api/v1/providers', { name: 'Wide', workspaceIds: null });
    expect(orgWide.status).toBe(422);
    expect(problem(orgWide).errors).toEqual([
      expect.objectContaining({ field: 'workspaceIds', rule: 'organization_wide_access' }),
    ]);

    expect(
      (await asManager('POST', '/api/v1/providers', { name: 'Other', workspaceIds: [wsB] })).status,
    ).toBe(404);

    const foreignHook = await asManager('POST', '/api/v1/providers', {
      name: 'Sneaky',
      allowedWebhookIds: [hookB],
    });
    expect(foreignHook.status).toBe(422);
    expect(problem(foreignHook).errors).toEqual([
      expect.objectContaining({ field: 'allowedWebhookIds', rule: 'webhook_exists' }),
    ]);

    const mine = await asManager<ProviderView>('POST', '/api/v1/providers', {
      name: 'Mine',
      allowedWebhookIds: [hookA],
    });
    expect(mine.status).toBe(201);
    const widened = await asManager('PATCH', `/api/v1/providers/${mine.body.id}`, {
      workspaceIds: [wsA, wsB],
    });
    expect(widened.status).toBe(404);
    const madeWide = await asManager('PATCH', `/api/v1/providers/${mine.body.id}`, { workspaceIds: null });
    expect(madeWide.status).toBe(422);
  });

  it("keeps an owner's scoped provider's allowed webhooks within its workspaces", async () => {
    const scoped = await asOwner('POST', '/api/v1/providers', {
      name: 'A only',
      workspaceIds: [wsA],
      allowedWebhookIds: [hookB],
    });
    expect(scoped.status).toBe(422);
    expect(problem(scoped).errors).toEqual([
      expect.objectContaining({ field: 'allowedWebhookIds', rule: 'within_provider_workspaces' }),
    ]);
    const wide = await asOwner<ProviderView>('POST', '/api/v1/providers', {
      name: 'Was wide',
      allowedWebhookIds: [hookB],
    });
    const narrowed = await asOwner('PATCH', `/api/v1/providers/${wide.body.id}`, { workspaceIds: [wsA] });
    expect(narrowed.status).toBe(422);
    expect(
      (await asOwner('PATCH', `/api/v1/providers/${wide.body.id}`, { workspaceIds: [wsB] })).status,
    ).toBe(200);
  });
});
