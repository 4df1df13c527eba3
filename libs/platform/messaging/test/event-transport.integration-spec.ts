import type { EventEnvelope } from '@leadflow/contracts';
import { LeadCreated, UserCreated } from '@leadflow/contracts';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  factories,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import type { DynamicModule, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { EventConsumer, EventContext } from '../src';
import type { ProbeIncrementedPayload, ProbeResetPayload } from './probe/probe.contract';
import { ProbeIncremented, ProbeReset } from './probe/probe.contract';
import { probeEnvelope } from './probe/probe-envelope';
import { ProbeService } from './probe/probe.service';

const SCHEMA = 'transport';

function envelope(type: string, aggregateId: string, payload: Record<string, unknown>) {
  const id = factories.id();
  return { id, value: probeEnvelope(id, aggregateId, payload, type) };
}

/** Records which handler saw which event, and with what context, in the event's transaction. */
async function record(who: string, event: EventEnvelope<object>, ctx: EventContext): Promise<void> {
  await ctx.tx.query(
    `INSERT INTO ${SCHEMA}.handled (who, event_id, type, topic, kafka_partition, kafka_offset, attempt)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [who, event.id, event.type, ctx.topic, ctx.partition, ctx.offset, ctx.attempt],
  );
}

@EventConsumer('alpha')
class Increments {
  @EventPattern(ProbeIncremented)
  async increment(
    @Payload() event: EventEnvelope<ProbeIncrementedPayload>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await record('alpha.increments', event, ctx);
    // Fails its first try: the runner retries it alone, and the context says which try it is.
    if (event.payload.amount === 13 && ctx.attempt === 1) throw new Error('unlucky on the first try');
  }
}

@EventConsumer('alpha')
class Resets {
  @EventPattern(ProbeReset)
  async reset(@Payload() event: EventEnvelope<ProbeResetPayload>, @Ctx() ctx: EventContext): Promise<void> {
    await record('alpha.resets', event, ctx);
  }
}

/** A second group on the same topic: it sees every increment again, and ignores resets by rule. */
@EventConsumer('beta', { ignores: [ProbeReset] })
class Tally {
  @EventPattern(ProbeIncremented, { envelopeOnly: true })
  async count(@Payload() event: EventEnvelope<object>, @Ctx() ctx: EventContext): Promise<void> {
    await record('beta.tally', event, ctx);
  }
}

@EventConsumer('alpha')
class IncrementsAgain {
  @EventPattern(ProbeIncremented)
  async increment(): Promise<void> {}
}

@EventConsumer('gamma')
class LeadsOnly {
  @EventPattern(LeadCreated)
  async created(): Promise<void> {}
}

@EventConsumer('delta', { ignores: [UserCreated] })
class IgnoresAnotherTopic {
  @EventPattern(ProbeIncremented)
  async increment(): Promise<void> {}
}

class Undeclared {
  @EventPattern(ProbeIncremented)
  async increment(): Promise<void> {}
}

@EventConsumer('epsilon')
class AsksForReplies {
  @MessagePattern(ProbeIncremented)
  async increment(): Promise<void> {}
}

@Module({})
class Consumers {
  static of(...controllers: Type[]): DynamicModule {
    return { module: Consumers, controllers };
  }
}

/**
 * Consumers are `@EventPattern` methods of `@EventConsumer` classes, discovered by Nest and served
 * by `EventTransport` over the runner: classes of one group share its inbox and offsets, a second
 * group sees every event again, and whatever the runner cannot serve faithfully stops start-up.
 */
describe('EventTransport: @EventPattern handlers on the platform transport', () => {
  let url: string;
  let probe: ProbeService;

  beforeAll(async () => {
    url = await createTestDatabase(SCHEMA);
    probe = await ProbeService.open({
      url,
      schema: SCHEMA,
      prefix: testTopicPrefix(SCHEMA),
      brokers: testBrokers(),
    });
    await probe.dataSource.query(`CREATE TABLE ${SCHEMA}.handled (
      who text NOT NULL, event_id uuid NOT NULL, type text NOT NULL, topic text NOT NULL,
      kafka_partition int NOT NULL, kafka_offset bigint NOT NULL, attempt int NOT NULL)`);
  });

  afterAll(async () => {
    await probe?.close();
    await dropTestDatabase(url);
  });

  it('refuses at start-up what it cannot serve faithfully, naming the handlers and the rule', async () => {
    await expect(probe.consumeWith(Consumers.of(Increments, IncrementsAgain))).rejects.toThrow(
      'consumer "alpha": Increments.increment and IncrementsAgain.increment both handle probe.incremented',
    );
    await expect(probe.consumeWith(Consumers.of(LeadsOnly))).rejects.toThrow(
      'consumer "gamma" reads ingestion.leads.v1 but neither handles nor ignores lead.duplicate_detected, lead.rejected, lead.status_changed, lead.updated',
    );
    await expect(probe.consumeWith(Consumers.of(IgnoresAnotherTopic))).rejects.toThrow(
      'consumer "delta" ignores user.created, but reads no handled type of identity.users.v1',
    );
    await expect(probe.consumeWith(Consumers.of(Undeclared))).rejects.toThrow(
      'probe.incremented: the class of this @EventPattern handler needs @EventConsumer(name)',
    );
    await expect(probe.consumeWith(Consumers.of(AsksForReplies))).rejects.toThrow(
      'AsksForReplies.increment: @MessagePattern is not served here',
    );
  });

  it('invokes every class of a group once per event, each group on its own, with the event context', async () => {
    await probe.consumeWith(Consumers.of(Increments, Resets, Tally));
    const topic = probe.topics.physical(ProbeIncremented.topic);
    const events = [
      envelope(ProbeIncremented.type, 'agg-t', { version: 1, amount: 5 }),
      envelope(ProbeReset.type, 'agg-t', { to: 0 }),
      envelope(ProbeIncremented.type, 'agg-t', { version: 2, amount: 13 }),
      envelope(ProbeReset.type, 'agg-t', { to: 0 }),
      envelope(ProbeIncremented.type, 'agg-t', { version: 3, amount: 7 }),
    ];
    await probe.producer.send({
      topic,
      messages: events.map((e) => ({ key: 'agg-t', value: e.value })),
    });

    type Row = { who: string; event_id: string; type: string; topic: string; attempt: number };
    const committed = (): Promise<Row[]> =>
      probe.dataSource.query(
        `SELECT who, event_id, type, topic, attempt FROM ${SCHEMA}.handled ORDER BY kafka_offset, who`,
      );
    const rows = await eventually(committed, (r: Row[]) => r.length >= 8, {
      what: 'both groups to handle every event',
    });
    await eventually(
      () => Promise.all([probe.caughtUp('alpha'), probe.caughtUp('beta')]),
      (done: boolean[]) => done.every(Boolean),
      { what: 'both groups to commit their offsets' },
    );
    const [increment1, reset1, increment2, reset2, increment3] = events.map((e) => e.id);
    expect((await committed()).map((r) => [r.who, r.event_id, r.attempt])).toEqual([
      ['alpha.increments', increment1, 1],
      ['beta.tally', increment1, 1],
      ['alpha.resets', reset1, 1],
      // The unlucky one's first try rolled back with its batch; alone, it went through on try 2.
      ['alpha.increments', increment2, 2],
      ['beta.tally', increment2, 1],
      ['alpha.resets', reset2, 1],
      ['alpha.increments', increment3, 1],
      ['beta.tally', increment3, 1],
    ]);
    expect(new Set(rows.map((r) => r.topic))).toEqual(new Set([topic]));

    // One inbox for the group's two classes, one for the other group (resets it ignores are not in it).
    const inbox: { consumer: string; n: number }[] = await probe.dataSource.query(
      `SELECT consumer, count(*)::int AS n FROM ${SCHEMA}.inbox GROUP BY consumer ORDER BY consumer`,
    );
    expect(inbox).toEqual([
      { consumer: 'alpha', n: 5 },
      { consumer: 'beta', n: 3 },
    ]);
  });
});
