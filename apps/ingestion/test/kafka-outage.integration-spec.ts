import { eventually } from '@leadflow/platform/testing';
import { ensureBroker, stopBroker } from '@leadflow/tools/kafka';
import { Kafka, logLevel } from 'kafkajs';
import type { ConsumedEvent, Registered } from './stack';
import { IntakeStack } from './stack';

/** This suite's own broker (it is stopped and started again; other suites use the run's broker). */
const BROKER_PORT = 14590;
const BROKER_DATA = 'tmp/kafka-outage-14590';
const OPERATOR = 'operator-token-kafka-outage';

interface Readiness {
  status: string;
  details: Record<string, { status: string; state?: string; message?: string }>;
}
interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  sent_at: Date | null;
}

/**
 * A Kafka outage does not take the platform down: identity + ingestion + gateway run against a
 * broker of their own, which is stopped. Readiness is the service's own state (PostgreSQL and
 * migrations): login, lead intake and lead reads go on answering 2xx through the gateway, every
 * `/readyz` stays 200 (Kafka reported down in its details), a service started during the outage
 * becomes ready, and every event waits in its outbox. When the broker is back, each one is
 * published exactly once, in outbox order per aggregate.
 */
describe('a Kafka outage (identity + ingestion + gateway on their own broker, real PostgreSQL)', () => {
  let brokers: string;
  let stack: IntakeStack;
  let owner: Registered;
  let webhookId: string;
  let provider: { id: string; apiKey: string };
  const password = 'violet-anchor-harbor-42';

  const readiness = async (base: string, operator = false): Promise<{ status: number; body: Readiness }> => {
    const res = await stack.call<Readiness>('GET', '/readyz', {
      base,
      headers: operator ? { 'x-operator-token': OPERATOR } : {},
    });
    return { status: res.status, body: res.body };
  };
  const identity = (): string => `http://127.0.0.1:${14501}`;

  const postLead = async (n: number): Promise<string> => {
    const res = await stack.call<{ leadId: string }>('POST', `/webhooks/leads/${webhookId}`, {
      headers: { 'x-provider-id': provider.id, 'x-provider-key': provider.apiKey },
      body: {
        firstName: `Outage${n}`,
        lastName: 'Lead',
        phone: `(628) 200-${String(1000 + n)}`,
        email: `outage.${n}.${Date.now()}@example.com`,
        state: 'CA',
        zip: '94103',
        monthly_electric_bill: '$180',
        consent: { granted: true, text: 'I agree to be called' },
      },
    });
    expect({ n, status: res.status, text: res.status === 201 ? '' : res.text }).toEqual({
      n,
      status: 201,
      text: '',
    });
    return res.body.leadId;
  };

  beforeAll(async () => {
    ({ brokers } = await ensureBroker({ port: BROKER_PORT, dataDir: BROKER_DATA }));
    stack = new IntakeStack('kafka-outage', {
      basePort: 14500,
      brokers,
      ingestionEnv: { OPERATOR_TOKEN: OPERATOR },
    });
    await stack.start();
    owner = await stack.register('outage');
    await eventually(
      () =>
        stack.count('SELECT count(*) AS n FROM ingestion.organizations WHERE id = $1', [
          owner.organization.id,
        ]),
      (n) => n === 1,
      { what: 'the organization to reach ingestion' },
    );
    const hook = await stack.call<{ id: string }>('POST', '/api/v1/webhooks', {
      token: owner.accessToken,
      body: { name: 'Outage vendor', workspaceId: owner.workspace.id, vertical: 'solar' },
    });
    expect(hook.status).toBe(201);
    webhookId = hook.body.id;
    const created = await stack.call<{ id: string; apiKey: string }>('POST', '/api/v1/providers', {
      token: owner.accessToken,
      body: { name: 'Outage Leads' },
    });
    expect(created.status).toBe(201);
    provider = created.body;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await stopBroker({ port: BROKER_PORT, dataDir: BROKER_DATA });
  }, 120_000);

  it('keeps login, intake, reads and readiness up, and publishes every event once, in order, when it is back', async () => {
    const leads: string[] = [];
    for (let n = 0; n < 3; n++) leads.push(await postLead(n));
    // Before the outage: everything published, so nothing is in flight when the broker stops.
    await eventually(
      async () =>
        (await stack.count('SELECT count(*) AS n FROM ingestion.outbox WHERE sent_at IS NULL')) +
        (await stack.count('SELECT count(*) AS n FROM identity.outbox WHERE sent_at IS NULL')),
      (unsent) => unsent === 0,
      { what: 'the outboxes to be published before the outage' },
    );

    await stopBroker({ port: BROKER_PORT, dataDir: BROKER_DATA });
    for (const base of [identity(), stack.ingestion[0]]) {
      await eventually(
        () => readiness(base),
        (r) => r.body.details?.kafka?.status === 'down',
        { what: `${base} to notice the broker is gone` },
      );
    }

    // The services stay ready: their own state is fine; Kafka is reported, not required.
    const ingestionReady = await readiness(stack.ingestion[0]);
    expect(ingestionReady).toEqual({
      status: 200,
      body: {
        status: 'ok',
        service: 'ingestion',
        details: { database: { status: 'up' }, migrations: { status: 'up' }, kafka: { status: 'down' } },
      },
    });
    // Anonymous callers get statuses; the operator also gets the state and why.
    const asOperator = await readiness(stack.ingestion[0], true);
    expect(asOperator.status).toBe(200);
    expect(asOperator.body.details.kafka).toMatchObject({ status: 'down', state: 'disconnected' });
    expect(asOperator.body.details.kafka.message).toEqual(expect.any(String));
    expect((await readiness(identity())).status).toBe(200);
    const gateway = await stack.call<{ services: Record<string, { status: string }> }>('GET', '/readyz');
    expect(gateway.status).toBe(200);
    expect(gateway.body.services.identity.status).toBe('up');
    expect(gateway.body.services.ingestion.status).toBe('up');
    const metrics = await (await fetch(`${stack.metricsOf(stack.ingestion[0])}/metrics`)).text();
    expect(metrics).toMatch(/^messaging_broker_connected{service="ingestion"} 0$/m);

    // Login, intake and reads answer through the gateway.
    const login = await stack.call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: owner.user.email, password },
    });
    expect(login.status).toBe(200);
    for (let n = 3; n < 6; n++) leads.push(await postLead(n));
    // A change in identity whose event ingestion consumes (after the outage).
    const workspace = await stack.call<{ id: string }>('POST', '/api/v1/workspaces', {
      token: login.body.accessToken,
      body: { name: 'Made during the outage', kind: 'client' },
    });
    expect(workspace.status).toBe(201);

    // A service started while the broker is down becomes ready (and serves) all the same.
    const ingestion = stack.process('ingestion-0');
    ingestion.child.kill('SIGKILL');
    await ingestion.exited;
    await stack.startProcess('ingestion-0', { kafka: false });
    expect((await readiness(stack.ingestion[0])).body.details.kafka.status).toBe('down');
    for (let n = 6; n < 9; n++) leads.push(await postLead(n));

    const list = await stack.call<{ items: { id: string }[] }>('GET', '/api/v1/leads?limit=100', {
      token: login.body.accessToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((l) => l.id).sort()).toEqual([...leads].sort());
    const one = await stack.call<{ id: string }>('GET', `/api/v1/leads/${leads[8]}`, {
      token: login.body.accessToken,
    });
    expect(one.status).toBe(200);

    // Every lead is stored with its outbox row, waiting for the broker.
    const unsentLeads = await stack.count(
      `SELECT count(*) AS n FROM ingestion.outbox WHERE sent_at IS NULL AND type = 'lead.created'
          AND message_key = ANY($1::text[])`,
      [leads.slice(3)],
    );
    expect(unsentLeads).toBe(6);

    // The broker comes back: the outboxes drain.
    await ensureBroker({ port: BROKER_PORT, dataDir: BROKER_DATA });
    for (const base of [identity(), stack.ingestion[0]]) {
      await eventually(
        () => readiness(base),
        (r) => r.status === 200 && r.body.details?.kafka?.status === 'up',
        { timeoutMs: 60_000, what: `${base} to reach the broker again` },
      );
    }
    await eventually(
      async () =>
        (await stack.count('SELECT count(*) AS n FROM ingestion.outbox WHERE sent_at IS NULL')) +
        (await stack.count('SELECT count(*) AS n FROM identity.outbox WHERE sent_at IS NULL')),
      (unsent) => unsent === 0,
      { timeoutMs: 90_000, what: 'the outboxes to be published after the outage' },
    );

    // The consumers of the ingestion started during the outage joined once the broker was back.
    await eventually(
      () => stack.count('SELECT count(*) AS n FROM ingestion.workspaces WHERE id = $1', [workspace.body.id]),
      (n) => n === 1,
      // Rejoining the group waits out the killed process's session (30 s).
      { timeoutMs: 120_000, what: 'the workspace made during the outage to reach ingestion' },
    );

    // Each topic holds exactly the outbox's events (its offsets count every message ever written,
    // so a second copy would show), and per aggregate in outbox order.
    const { rows } = await stack.db.query<OutboxRow>(
      `SELECT id, topic, message_key, sent_at FROM ingestion.outbox
        UNION ALL SELECT id, topic, message_key, sent_at FROM identity.outbox ORDER BY 1`,
    );
    const ordered = await stack.db.query<{ id: string }>(
      `SELECT id FROM (SELECT id, seq, 1 AS s FROM identity.outbox UNION ALL
                       SELECT id, seq, 2 AS s FROM ingestion.outbox) o ORDER BY s, seq`,
    );
    const position = new Map(ordered.rows.map((r, i) => [r.id, i]));
    const topics = [...new Set(rows.map((r) => r.topic))];
    const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const written = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        expect({ topic, written }).toEqual({ topic, written: rows.filter((r) => r.topic === topic).length });
      }
    } finally {
      await admin.disconnect();
    }
    const events = await stack.consume(topics.map((t) => t.slice(stack.prefix.length)));
    await eventually(
      async () => events.length,
      (n) => n >= rows.length,
      { timeoutMs: 60_000, what: `${rows.length} events read back` },
    );
    const ids = events.map((e) => e.envelope.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(rows.map((r) => r.id).sort());
    const byKey = new Map<string, ConsumedEvent[]>();
    for (const e of events)
      byKey.set(`${e.topic}/${e.key}`, [...(byKey.get(`${e.topic}/${e.key}`) ?? []), e]);
    const outOfOrder = [...byKey.entries()].filter(([, list]) =>
      list.some((e, i) => i > 0 && position.get(e.envelope.id)! < position.get(list[i - 1].envelope.id)!),
    );
    expect(outOfOrder.map(([key]) => key)).toEqual([]);
    // The leads of the outage are among them, once each.
    for (const lead of leads) {
      expect(events.filter((e) => e.envelope.type === 'lead.created' && e.key === lead)).toHaveLength(1);
    }
  }, 300_000);
});
