import { MetricsService } from '@leadflow/platform/observability';
import type { Logger } from '@nestjs/common';
import type { EachBatchPayload, Kafka, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from '@leadflow/contracts';
import { ProbeIncremented } from '../test/probe/probe.contract';
import type { ProbeIncrementedPayload } from '../test/probe/probe.contract';
import type { HandlerRegistration } from './consumer.runner';
import { ConsumerRunner, DLQ_HEADERS } from './consumer.runner';
import { TopicNamer } from './topic-namer';

/** What node-postgres throws when the server refuses the connection. */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

function message(
  offset: number,
  version: number,
  type: string = ProbeIncremented.type,
  { amount = 1, id = randomUUID() } = {},
): KafkaMessage {
  const envelope = {
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    organizationId: randomUUID(),
    aggregateId: 'agg-1',
    correlationId: 'c-1',
    payload: { version, amount },
  };
  return {
    key: Buffer.from('agg-1'),
    value: Buffer.from(JSON.stringify(envelope)),
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/**
 * The runner against a fake database whose transactions fail as `script` says (one entry per
 * transaction; 'ok' runs it), a fake Kafka that hands batches to the runner's eachBatch, and a
 * producer that records what was dead-lettered.
 */
async function harness(options: {
  script: ('refused' | 'bad' | 'ok')[];
  retryBaseMs?: number;
  infrastructureRetryMaxMs?: number;
  heartbeat?: () => Promise<void>;
  ignores?: string[];
  fetch?: { minBytes: number; maxWaitMs: number };
  /** Register the applier as a batch handler (recording each call's size). */
  batch?: boolean;
}) {
  const script = [...options.script];
  const applied: number[] = [];
  const transactions: string[] = [];
  let onTransaction: (() => void) | undefined;
  const dataSource = {
    transaction: async <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
      const step = script.shift() ?? 'ok';
      transactions.push(step);
      onTransaction?.();
      if (step === 'refused') throw refused();
      const tx = {
        query: async (sql: string, params: unknown[]) => {
          if (!sql.includes('INSERT INTO')) return [];
          if (sql.includes('unnest')) return (params[3] as string[]).map((event_id) => ({ event_id }));
          return [1];
        },
      } as unknown as EntityManager;
      return work(tx);
    },
  } as unknown as DataSource;
  const dlq: ProducerRecord[] = [];
  const producer = { send: async (record: ProducerRecord) => dlq.push(record) } as unknown as Producer;
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumerConfigs: Record<string, unknown>[] = [];
  const kafka = {
    consumer: (config: Record<string, unknown>) => (
      consumerConfigs.push(config),
      {
        connect: async () => undefined,
        subscribe: async () => undefined,
        run: async (config: { eachBatch: typeof eachBatch }) => {
          eachBatch = config.eachBatch;
        },
        disconnect: async () => undefined,
      }
    ),
  } as unknown as Kafka;
  const warnings: Record<string, unknown>[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>) => warnings.push(fields),
    error: () => undefined,
    log: () => undefined,
  } as unknown as Logger;
  const metrics = new MetricsService();
  const runner = new ConsumerRunner(
    kafka,
    dataSource,
    producer,
    new TopicNamer('unit'),
    {
      service: 'svc',
      schema: 'svc',
      maxAttempts: 3,
      retryBaseMs: options.retryBaseMs ?? 1,
      infrastructureRetryMaxMs: options.infrastructureRetryMaxMs,
    },
    logger,
    metrics,
  );
  const calls: number[] = [];
  const applyAll = async (events: EventEnvelope<ProbeIncrementedPayload>[]): Promise<void> => {
    calls.push(events.length);
    for (const event of events) {
      if (event.payload.amount === 13 || transactions[transactions.length - 1] === 'bad')
        throw new Error('bad message');
      applied.push(event.payload.version);
    }
  };
  const applier: HandlerRegistration<ProbeIncrementedPayload> = {
    contract: ProbeIncremented,
    readsPayload: true,
    handle: (event) => applyAll([event]),
    handleMany: options.batch ? (events) => applyAll(events) : undefined,
  };
  runner.register('applier', [applier as unknown as HandlerRegistration], {
    ignores: options.ignores,
    fetch: options.fetch,
  });
  await runner.start();
  const resolved: string[] = [];
  const deliver = (messages: KafkaMessage[]): Promise<void> =>
    (eachBatch as NonNullable<typeof eachBatch>)({
      batch: { topic: 'unit.probe.counters.v1', partition: 0, messages, offsetLag: () => '0' },
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat: options.heartbeat ?? (async () => undefined),
      commitOffsetsIfNecessary: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  const retries = async (): Promise<number> => {
    const metric = await metrics.registry.getSingleMetric('consumer_infrastructure_retries_total')?.get();
    return metric?.values.find((v) => v.labels.consumer === 'applier')?.value ?? 0;
  };
  const nextTransaction = (): Promise<void> =>
    new Promise((resolve) => {
      onTransaction = resolve;
    });
  const outcomes = async (): Promise<Record<string, number>> => {
    const metric = await metrics.registry.getSingleMetric('kafka_messages_handled_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.outcome), v.value]));
  };
  return {
    runner,
    deliver,
    applied,
    calls,
    consumerConfigs,
    dlq,
    resolved,
    warnings,
    transactions,
    retries,
    nextTransaction,
    outcomes,
  };
}

describe('ConsumerRunner and database outages', () => {
  it('holds the message through any number of connection faults: no DLQ, applied once, counted as infrastructure retries', async () => {
    const h = await harness({ script: Array(12).fill('refused'), infrastructureRetryMaxMs: 8 });
    await h.deliver([message(0, 1)]);
    expect(h.dlq).toEqual([]);
    expect(h.applied).toEqual([1]);
    expect(h.resolved).toEqual(['0']);
    expect(await h.retries()).toBe(12);
    // Backoff doubles from retryBaseMs and is capped.
    expect(h.warnings.map((w) => w.retryInMs)).toEqual([1, 2, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
  });

  it('holds a group through the outage and applies it in order, in one transaction, once it is back', async () => {
    const h = await harness({ script: ['refused', 'refused', 'refused', 'refused'] });
    await h.deliver([message(0, 1), message(1, 2), message(2, 3)]);
    expect(h.dlq).toEqual([]);
    expect(h.applied).toEqual([1, 2, 3]);
    expect(h.transactions).toEqual(['refused', 'refused', 'refused', 'refused', 'ok']);
    expect(h.resolved).toEqual(['2']);
  });

  it('still dead-letters a message whose own handler fails, counting only those failures as attempts', async () => {
    const h = await harness({ script: ['refused', 'bad', 'refused', 'refused', 'bad', 'refused', 'bad'] });
    await h.deliver([message(0, 1)]);
    expect(h.applied).toEqual([]);
    expect(h.dlq).toHaveLength(1);
    const headers = h.dlq[0].messages[0].headers as Record<string, string>;
    expect(headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(headers[DLQ_HEADERS.errorKind]).toBe('failed');
    expect(headers[DLQ_HEADERS.error]).toBe('bad message');
    expect(await h.retries()).toBe(4);
    expect(h.resolved).toEqual(['0']);
  });

  it('lets a held batch go when the group rebalances, handing kafkajs the rebalance so it rejoins', async () => {
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const h = await harness({
      // Without the rebalance, ~6 s of refusals would end with the message applied.
      script: Array(300).fill('refused'),
      infrastructureRetryMaxMs: 20,
      heartbeat: async () => {
        throw rebalancing;
      },
    });
    await expect(h.deliver([message(0, 1)])).rejects.toBe(rebalancing);
    expect(h.dlq).toEqual([]);
    expect(h.applied).toEqual([]);
    expect(h.resolved).toEqual([]);
  }, 15_000);

  it('ends the wait at once on stop(), leaving the message uncommitted for redelivery', async () => {
    // An hour of backoff: only stop() waking the wait lets this test finish.
    const h = await harness({
      script: Array(1000).fill('refused'),
      retryBaseMs: 3_600_000,
      infrastructureRetryMaxMs: 3_600_000,
    });
    const firstTry = h.nextTransaction();
    const delivered = h.deliver([message(0, 1)]);
    await firstTry;
    await h.runner.stop();
    await expect(delivered).rejects.toThrow('stopping');
    expect(h.transactions).toEqual(['refused']);
    expect(h.dlq).toEqual([]);
    expect(h.resolved).toEqual([]);
  });
});

describe('ConsumerRunner and event types it has no handler for', () => {
  it('skips a type its rules ignore quietly, and a type it does not know with one warning per type', async () => {
    const h = await harness({ script: [], ignores: ['probe.reset'] });
    await h.deliver([
      message(0, 1),
      message(1, 0, 'probe.reset'),
      message(2, 0, 'probe.renamed'),
      message(3, 2),
      message(4, 0, 'probe.renamed'),
      message(5, 0, 'probe.reset'),
    ]);
    expect(h.applied).toEqual([1, 2]);
    expect(h.dlq).toEqual([]);
    expect(h.resolved).toEqual(['5']);
    expect(await h.outcomes()).toEqual({ applied: 2, ignored: 2, unknown: 2 });
    expect(h.warnings).toEqual([
      { consumer: 'applier', topic: 'unit.probe.counters.v1', type: 'probe.renamed' },
    ]);
  });
});

describe('ConsumerRunner and batch handlers', () => {
  it('hands a batch handler the fresh events of a group in one call, in order, without re-sent copies', async () => {
    const h = await harness({ script: [], batch: true });
    const copy = randomUUID();
    await h.deliver([
      message(0, 1),
      message(1, 2, ProbeIncremented.type, { id: copy }),
      message(2, 0, 'probe.other'),
      message(3, 2, ProbeIncremented.type, { id: copy }),
      message(4, 3),
    ]);
    expect(h.calls).toEqual([3]);
    expect(h.applied).toEqual([1, 2, 3]);
    expect(await h.outcomes()).toEqual({ applied: 3, duplicate: 1, unknown: 1 });
    expect(h.resolved).toEqual(['4']);
  });

  it('falls back to one event per call when the batch fails, dead-lettering only the failing one', async () => {
    const h = await harness({ script: [], batch: true });
    await h.deliver([message(0, 1), message(1, 2, ProbeIncremented.type, { amount: 13 }), message(2, 3)]);
    // The batch (3) fails and rolls back; then 1, then 13 three times (attempts), then 3.
    expect(h.calls).toEqual([3, 1, 1, 1, 1, 1]);
    expect(h.applied.slice(-2)).toEqual([1, 3]);
    expect(h.dlq).toHaveLength(1);
    expect(await h.outcomes()).toEqual({ applied: 2, 'dead-lettered': 1 });
  });
});

describe('ConsumerRunner fetch settings', () => {
  it("asks the broker to gather a consumer's fetches as its rules say, and answers at once by default", async () => {
    const gathered = await harness({ script: [], fetch: { minBytes: 65_536, maxWaitMs: 250 } });
    expect(gathered.consumerConfigs[0]).toMatchObject({ minBytes: 65_536, maxWaitTimeInMs: 250 });
    const plain = await harness({ script: [] });
    expect(plain.consumerConfigs[0]).not.toHaveProperty('minBytes');
    expect(plain.consumerConfigs[0]).not.toHaveProperty('maxWaitTimeInMs');
  });
});
