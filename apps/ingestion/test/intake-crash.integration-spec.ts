import { Topics } from '@leadflow/contracts';
import { eventually } from '@leadflow/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumedEvent, Registered } from './stack';
import * as providers from './factories/provider.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack } from './stack';

interface CreatedWebhook {
  id: string;
}
interface CreatedProvider {
  id: string;
  apiKey: string;
}

const POSTERS = 16;
/** The ingestion process is killed this long after the posters start. */
const KILL_AFTER_MS = 1500;
/** The posters go on this long after the restarted process is ready. */
const POST_AFTER_RESTART_MS = 1000;

/** What one post came to: a stored lead, an HTTP refusal, or unknown (the connection failed). */
type Outcome = { email: string; phase: Phase } & (
  | { kind: 'created'; leadId: string }
  | { kind: 'refused'; status: number; text: string }
  | { kind: 'unknown'; error: string }
);
/** When a post was sent: before the kill, while the process was down or starting, after it was ready. */
type Phase = 'before' | 'down' | 'after';

/** A structurally valid, distinct US number per lead: (628) 2XX-XXXX, then (628) 3XX-... */
const phoneOf = (n: number): string =>
  `(628) ${200 + Math.floor(n / 10_000)}-${String(n % 10_000).padStart(4, '0')}`;

/**
 * kill -9 of the ingestion process in the middle of a stream of vendor posts, then a restart:
 * no lead answered 201 is lost, no post is stored twice, and the outbox publishes exactly one
 * `lead.created` per stored lead — none missing, none for a lead that is not stored.
 */
describe('lead intake across kill -9 of ingestion (identity + ingestion + gateway, real PostgreSQL, Kafka)', () => {
  const stack = new IntakeStack('intake-crash', { basePort: 14600 });
  let owner: Registered;
  let webhook: CreatedWebhook;
  let provider: CreatedProvider;
  let events: ConsumedEvent[];

  beforeAll(async () => {
    await stack.start();
    owner = await stack.register('crash');
    // The free plan takes 500 leads a month; the stream posts more.
    await stack.unlimitedPlan(owner);
    events = await stack.consume([Topics.ingestionLeads]);
    webhook = await webhooks.createWebhook<CreatedWebhook>(stack, owner, {
      name: 'Crash vendor',
      vertical: 'solar',
      rateLimit: 1_000_000,
    });
    provider = await providers.createProvider<CreatedProvider>(stack, owner, {
      name: 'Crash Leads',
      hourlyLimit: 10_000_000,
    });
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  it('loses no 201, stores no post twice and publishes exactly one lead.created per stored lead', async () => {
    const tag = Date.now().toString(36);
    const outcomes: Outcome[] = [];
    let next = 0;
    let stopped = false;
    let phase: Phase = 'before';

    const postOne = async (n: number): Promise<Outcome> => {
      const email = `crash.${n}.${tag}@example.com`;
      const sentIn = phase;
      try {
        const res = await fetch(`${stack.ingestion[0]}/webhooks/leads/${webhook.id}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-provider-id': provider.id,
            'x-provider-key': provider.apiKey,
          },
          body: JSON.stringify({
            firstName: `Crash${n}`,
            lastName: 'Stream',
            phone: phoneOf(n),
            email,
            state: 'CA',
            zip: '94103',
            monthly_electric_bill: '$180',
            consent: { granted: true, text: 'I agree to be called' },
          }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 201) {
          return {
            kind: 'created',
            email,
            phase: sentIn,
            leadId: (JSON.parse(text) as { leadId: string }).leadId,
          };
        }
        return { kind: 'refused', email, phase: sentIn, status: res.status, text: text.slice(0, 300) };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return {
          kind: 'unknown',
          email,
          phase: sentIn,
          error: cause?.code ?? cause?.message ?? (error as Error).message,
        };
      }
    };

    const posters = Array.from({ length: POSTERS }, async () => {
      while (!stopped) {
        const outcome = await postOne(next++);
        outcomes.push(outcome);
        // While the process is down connections are refused at once: do not spin.
        if (outcome.kind === 'unknown') await sleep(50);
      }
    });

    const started = Date.now();
    await sleep(KILL_AFTER_MS);
    const ingestion = stack.process('ingestion-0');
    phase = 'down';
    ingestion.child.kill('SIGKILL');
    const exit = await ingestion.exited;
    expect(exit.signal).toBe('SIGKILL');
    const killedAt = Date.now() - started;
    await stack.startProcess('ingestion-0');
    const readyAt = Date.now() - started;
    phase = 'after';
    await sleep(POST_AFTER_RESTART_MS);
    stopped = true;
    await Promise.all(posters);

    const created = outcomes.filter((o): o is Extract<Outcome, { kind: 'created' }> => o.kind === 'created');
    const unknown = outcomes.filter((o): o is Extract<Outcome, { kind: 'unknown' }> => o.kind === 'unknown');
    const refused = outcomes.filter((o): o is Extract<Outcome, { kind: 'refused' }> => o.kind === 'refused');
    const createdIn = (p: Phase): number => created.filter((c) => c.phase === p).length;
    process.stdout.write(
      `[intake-crash] ${outcomes.length} posts by ${POSTERS} posters: ${created.length} × 201 ` +
        `(${createdIn('before')} before kill -9 at ${killedAt} ms, ${createdIn('after')} after the restart was ready ` +
        `at ${readyAt} ms), ${unknown.length} unknown outcomes ` +
        `(${[...new Set(unknown.map((u) => u.error))].join(', ')}), ${refused.length} refused\n`,
    );
    expect(refused).toEqual([]);
    expect(createdIn('before')).toBeGreaterThan(0);
    expect(unknown.length).toBeGreaterThan(0);
    expect(createdIn('after')).toBeGreaterThan(0);

    // Every 201 is stored; no post (each a distinct person) is stored twice.
    const stored = await stack.db.query<{ id: string; email: string; request_id: string; accepted: number }>(
      `SELECT l.id, l.email, l.request_id,
              (SELECT count(*)::int FROM ingestion.intake_requests r
                WHERE r.id = l.request_id AND r.lead_id = l.id AND r.outcome = 'accepted') AS accepted
         FROM ingestion.leads l WHERE l.webhook_id = $1`,
      [webhook.id],
    );
    const storedIds = new Set(stored.rows.map((l) => l.id));
    expect(created.filter((c) => !storedIds.has(c.leadId))).toEqual([]);
    const perEmail = new Map<string, number>();
    for (const l of stored.rows) perEmail.set(l.email, (perEmail.get(l.email) ?? 0) + 1);
    expect([...perEmail.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(stored.rows.filter((l) => l.accepted !== 1)).toEqual([]);
    const posted = new Set(outcomes.map((o) => o.email));
    expect(stored.rows.filter((l) => !posted.has(l.email))).toEqual([]);
    const storedUnknown = unknown.filter((u) => perEmail.has(u.email)).length;

    // The relay (restarted with the process) publishes what was committed, exactly once per event.
    const leadCreated = (): ConsumedEvent[] =>
      events.filter(
        (e) => e.envelope.type === 'lead.created' && e.envelope.organizationId === owner.organization.id,
      );
    await eventually(
      async () => ({
        unsent: await stack.count('SELECT count(*) AS n FROM ingestion.outbox WHERE sent_at IS NULL'),
        missing: stored.rows.filter((l) => !leadCreated().some((e) => e.key === l.id)).length,
      }),
      (state) => state.unsent === 0 && state.missing === 0,
      { timeoutMs: 60_000, what: 'the relay to publish every stored lead after the restart' },
    );
    // Let any second copy still in flight arrive before counting.
    await eventually(
      async () => {
        const before = events.length;
        await sleep(1500);
        return events.length - before;
      },
      (arrived) => arrived === 0,
      { timeoutMs: 30_000, what: 'the event stream to go quiet' },
    );

    const byLead = new Map<string, ConsumedEvent[]>();
    for (const event of leadCreated()) byLead.set(event.key, [...(byLead.get(event.key) ?? []), event]);
    const distinctIds = (list: ConsumedEvent[]): number => new Set(list.map((e) => e.envelope.id)).size;
    const copies = [...byLead.values()].filter((list) => list.length > 1);
    process.stdout.write(
      `[intake-crash] ${stored.rows.length} leads stored (${storedUnknown} of the ${unknown.length} unknown outcomes), ` +
        `${leadCreated().length} lead.created messages for ${byLead.size} leads; ` +
        `${copies.length} lead(s) with a redelivered copy of the same event\n`,
    );
    expect([...byLead.keys()].filter((key) => !storedIds.has(key))).toEqual([]);
    expect(stored.rows.filter((l) => distinctIds(byLead.get(l.id) ?? []) !== 1).map((l) => l.id)).toEqual([]);
    expect([...byLead.values()].every((list) => list.every((e) => e.envelope.aggregateId === e.key))).toBe(
      true,
    );
    // A copy is the same event (same envelope id) published again after the relay lost the mark
    // that it had been sent; the platform's relay is at-least-once and consumers' inboxes absorb it.
    expect(copies.filter((list) => distinctIds(list) !== 1)).toEqual([]);
  }, 180_000);
});
