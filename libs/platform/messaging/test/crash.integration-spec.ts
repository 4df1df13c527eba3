import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testBrokers,
  testTopicPrefix,
  startProcess,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProbeService } from './probe/probe.service';

const CLI = resolve(__dirname, '../../../../dist/libs/platform/messaging/test/probe/probe-cli.js');
const TOTAL = 10_000;

function start(mode: 'produce' | 'consume', args: string[]): StartedProcess {
  return startProcess(CLI, [mode, ...args]);
}

async function killHard(child: StartedProcess): Promise<void> {
  child.signal('SIGKILL');
  await child.exited;
}

/**
 * Proof 3: a child process commits 10,000 state changes while another applies them; each is
 * killed with SIGKILL mid-run and restarted. Every committed event is applied exactly once.
 */
describe('crash safety of outbox and inbox', () => {
  let url: string;
  let producerView: ProbeService;
  let consumerView: ProbeService;
  const children: StartedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
    url = await createTestDatabase('crash');
    const prefix = testTopicPrefix('crash');
    producerView = await ProbeService.open({ url, schema: 'crash_producer', prefix, brokers: testBrokers() });
    consumerView = await ProbeService.open({ url, schema: 'crash_consumer', prefix, brokers: testBrokers() });
  });

  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.signal('SIGKILL');
    await Promise.all([producerView?.close(), consumerView?.close()]);
    await dropTestDatabase(url);
  });

  it('applies every committed event exactly once across kill -9 of producer and consumer', async () => {
    const prefix = producerView.options.prefix;
    const common = ['--url', url, '--prefix', prefix, '--brokers', testBrokers()];
    const produce = (): StartedProcess => {
      const c = start('produce', [
        ...common,
        '--schema',
        'crash_producer',
        '--total',
        String(TOTAL),
        '--aggregates',
        '50',
      ]);
      children.push(c);
      return c;
    };
    const consume = (): StartedProcess => {
      const c = start('consume', [...common, '--schema', 'crash_consumer']);
      children.push(c);
      return c;
    };
    const committed = async (): Promise<number> => (await producerView.stats()).committed;
    const applied = async (): Promise<number> =>
      Number((await consumerView.dataSource.query('SELECT count::int AS n FROM crash_consumer.totals'))[0].n);

    let producer = produce();
    let consumer = consume();
    await eventually(committed, (n) => n >= 2500, { timeoutMs: 90_000, what: '2,500 commits' });
    await killHard(producer);
    const atProducerKill = await committed();
    expect(atProducerKill).toBeLessThan(TOTAL);

    producer = produce();
    await eventually(applied, (n) => n >= atProducerKill + 500, {
      timeoutMs: 90_000,
      what: 'consumer progress',
    });
    await killHard(consumer);
    const atConsumerKill = await applied();
    expect(atConsumerKill).toBeLessThan(TOTAL);
    consumer = consume();

    await eventually(async () => producer.jsonLines().some((l) => l.drained === true), Boolean, {
      timeoutMs: 180_000,
      what: 'the producer to commit everything and drain its outbox',
    });
    await eventually(applied, (n) => n >= TOTAL, { timeoutMs: 180_000, what: `${TOTAL} applied events` });
    await new Promise((r) => setTimeout(r, 2000)); // any redelivery would land now
    const producerStats = await producerView.stats();
    const consumerStats = await consumerView.stats();
    expect(producerStats.committed).toBe(TOTAL);
    expect(consumerStats.applied).toBe(TOTAL);
    expect(consumerStats.distinct).toBe(TOTAL);
    expect(consumerStats.appliedSum).toBe(producerStats.committedSum);
    expect(consumerStats.outOfOrder).toBe(0);
    await killHard(consumer);
  });
});
