import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProbeService } from './probe/probe.service';

const CLI = resolve(__dirname, '../../../../dist/libs/platform/messaging/test/probe/probe-cli.js');
const TOTAL = 10_000;

interface Child {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function start(mode: 'produce' | 'consume', args: string[]): Child {
  const child = spawn(process.execPath, [CLI, mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts)
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      if (code !== null && code !== 0)
        process.stderr.write(`probe ${mode} exited ${code}: ${stderr.slice(-2000)}\n`);
      done(code);
    }),
  );
  return { process: child, lines, exited };
}

async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
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
  const children: Child[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
    url = await createTestDatabase('crash');
    const prefix = testTopicPrefix('crash');
    producerView = await ProbeService.open({ url, schema: 'crash_producer', prefix, brokers: testBrokers() });
    consumerView = await ProbeService.open({ url, schema: 'crash_consumer', prefix, brokers: testBrokers() });
  });

  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await Promise.all([producerView?.close(), consumerView?.close()]);
    await dropTestDatabase(url);
  });

  it('applies every committed event exactly once across kill -9 of producer and consumer', async () => {
    const prefix = producerView.options.prefix;
    const common = ['--url', url, '--prefix', prefix, '--brokers', testBrokers()];
    const produce = (): Child => {
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
    const consume = (): Child => {
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

    await eventually(async () => producer.lines.some((l) => l.drained === true), Boolean, {
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
