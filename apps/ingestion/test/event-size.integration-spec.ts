import type { Registered } from './stack';
import { IntakeStack } from './stack';

interface CreatedWebhook {
  id: string;
}
interface CreatedProvider {
  id: string;
  apiKey: string;
}

/**
 * A vendor post whose lead would make an event larger than OUTBOX_MAX_EVENT_BYTES answers 413
 * `event_too_large` and stores nothing; the intake fast path (COPY into the outbox) checks the
 * same cap as OutboxWriter. With the default cap (900 KiB) intake's 256 KB body limit comes first,
 * so the cap is lowered here to reach it.
 */
describe('intake and the outbox event size cap (gateway + identity + ingestion)', () => {
  const stack = new IntakeStack('event-size', {
    basePort: 14603,
    ingestionEnv: { OUTBOX_MAX_EVENT_BYTES: '8192' },
  });
  let owner: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;

  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    stack.call<T>(method, path, { body, token: owner.accessToken });
  const post = (body: unknown) =>
    stack.call<{ leadId?: string; code?: string; maxBytes?: number }>(
      'POST',
      `/webhooks/leads/${webhook.id}`,
      {
        body,
        headers: { 'X-Provider-Id': provider.id, 'X-Provider-Key': provider.apiKey },
      },
    );

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('sizer');
    await stack.unlimitedPlan(owner);
    const hook = await api<CreatedWebhook>('POST', '/api/v1/webhooks', {
      name: 'Verbose vendor',
      workspaceId: owner.workspace.id,
      vertical: 'generic',
    });
    expect(hook.status).toBe(201);
    webhook = hook.body;
    const created = await api<CreatedProvider>('POST', '/api/v1/providers', { name: 'Verbose Leads' });
    expect(created.status).toBe(201);
    provider = created.body;
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  it('answers 413 event_too_large for a lead whose event is over the cap, and stores nothing of it', async () => {
    // 18 KB of extra vendor fields (each under intake's 10,000-character limit): far under the
    // body limit, over the 8 KiB event cap.
    const big = await post({
      firstName: 'Ada',
      email: 'ada.verbose@example.com',
      notes: 'n'.repeat(9000),
      history: 'h'.repeat(9000),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(big.body).toMatchObject({ code: 'event_too_large', maxBytes: 8192 });
    expect(
      await stack.count(`SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1`, [webhook.id]),
    ).toBe(0);
    expect(
      await stack.count(`SELECT count(*) AS n FROM ingestion.outbox WHERE value LIKE '%ada.verbose%'`),
    ).toBe(0);

    // The cap refuses only what is over it: an ordinary lead of the same vendor is stored.
    const small = await post({ firstName: 'Bea', email: 'bea.brief@example.com', notes: 'short' });
    expect(small.status).toBe(201);
    expect(
      await stack.count(`SELECT count(*) AS n FROM ingestion.leads WHERE webhook_id = $1`, [webhook.id]),
    ).toBe(1);
  });
});
