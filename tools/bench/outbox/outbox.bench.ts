/**
 * `npm run bench:outbox` (see tools/bench/README.md): the outbox relay's throughput against a raw
 * kafkajs producer sending the same messages to the same broker in the same run, and the
 * commit→publish latency of events committed at a steady rate while the relay runs.
 *
 * Runs in a fresh database (`lf_bench_<random>`) and on fresh topics (`bench.<random>.*`), both
 * removed at the end. Exit code 1 if a check fails (a message lost or duplicated at the Kafka
 * level), 0 otherwise, including when the ratio misses its target: the bench measures, it does
 * not gate.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  OutboxRelay,
  OutboxWriter,
  TopicNamer,
  createKafka,
  ensureTopics,
  messagingTablesMigration,
} from '@leadflow/platform/messaging';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { dropDatabase, openServiceDataSource, quoteIdent, safeUrl } from '@leadflow/platform/persistence';
import type { Admin, Message, Producer, ProducerConfig } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { BenchLeadCaptured, benchEvent } from './bench-event.contract';
import type { BenchOptions } from './bench-options';
import { UsageError, loadBenchEnv, parseBenchOptions } from './bench-options';
import { median, quantile } from './bench-stats';
import type { Timing } from './relay-timings';
import { RelayTimings, perCall } from './relay-timings';

const SCHEMA = 'bench';
const PARTITIONS = 3;
const TARGET_RATIO = 0.7;
const DRAIN_POLL_MS = 10;
const OUTBOX = `${quoteIdent(SCHEMA)}.outbox`;

/** The relay's producer, exactly as messaging.module.ts configures it; the baseline uses the same. */
const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

interface Bench {
  options: BenchOptions;
  databaseUrl: string;
  prefix: string;
  dataSource: DataSource;
  admin: Admin;
  baselineProducer: Producer;
  relayProducer: Producer;
}

interface RoundResult {
  round: number;
  first: 'baseline' | 'relay';
  preloadRowsPerSec: number;
  baselineMsgsPerSec: number;
  relayMsgsPerSec: number;
  baselineSend: Timing;
  relay: RelayTimings;
}

interface LatencyResult {
  events: number;
  seconds: number;
  commitsPerSec: number;
  latenciesMs: number[];
}

interface Check {
  what: string;
  expected: number;
  actual: number;
}

/** Undo steps, run in reverse order at the end (also on failure and Ctrl-C). */
class Teardown {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private done: Promise<void> | undefined;

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          print(`teardown: ${step.what} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.done;
  }
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newRelay(bench: Bench, dataSource: DataSource, producer: Producer): OutboxRelay {
  return new OutboxRelay(
    dataSource,
    producer,
    {
      schema: SCHEMA,
      databaseUrl: bench.databaseUrl,
      batchSize: bench.options.batch,
      pollIntervalMs: bench.options.pollIntervalMs,
      retentionHours: 72,
    },
    new Logger('OutboxRelay'),
  );
}

/** Messages on a topic, from the partitions' offsets (the topics are fresh: low is 0). */
async function topicMessageCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

async function unsentCount(dataSource: DataSource): Promise<number> {
  const [row] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM ${OUTBOX} WHERE sent_at IS NULL`,
  )) as { n: number }[];
  return row.n;
}

/**
 * Waits until every outbox row has `sent_at`. The probe is an EXISTS on the partial index of
 * unsent rows: it stops at the first unsent row, so polling every 10 ms costs the relay nothing.
 */
async function waitUntilDrained(dataSource: DataSource, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = (await dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM ${OUTBOX} WHERE sent_at IS NULL) AS pending`,
    )) as { pending: boolean }[];
    if (!row.pending) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the relay did not drain the outbox within ${timeoutMs} ms (${await unsentCount(dataSource)} rows unsent)`,
      );
    }
    await sleep(DRAIN_POLL_MS);
  }
}

/**
 * A checkpoint before each phase's writes restarts checkpoint_timeout, so no timed checkpoint (and
 * its burst of full-page writes) lands in a measured phase; the phase's own writes then touch pages
 * the way production does between checkpoints. Needs superuser or pg_checkpoint: skipped otherwise.
 */
async function checkpoint(dataSource: DataSource): Promise<void> {
  await dataSource.query('CHECKPOINT').catch(() => undefined);
}

/** Commits N bench events through OutboxWriter.add, in transactions of `preloadTransaction` events. */
async function preloadOutbox(bench: Bench, writer: OutboxWriter, messages: number): Promise<number> {
  const { aggregates, preloadTransaction } = bench.options;
  await bench.dataSource.query(`TRUNCATE ${OUTBOX}`);
  await checkpoint(bench.dataSource);
  const started = performance.now();
  for (let from = 0; from < messages; from += preloadTransaction) {
    const events: OutgoingEvent<object>[] = [];
    for (let i = from; i < Math.min(messages, from + preloadTransaction); i++)
      events.push(benchEvent(i, aggregates));
    await bench.dataSource.transaction((tx) => writer.add(tx, events));
  }
  const seconds = (performance.now() - started) / 1000;
  // What autovacuum's auto-analyze would do after such a bulk insert (it may be off locally).
  await bench.dataSource.query(`ANALYZE ${OUTBOX}`);
  return messages / seconds;
}

/** The outbox rows as the relay will send them: same key, value and headers, in outbox order. */
async function outboxMessages(dataSource: DataSource): Promise<Message[]> {
  const rows = (await dataSource.query(`SELECT message_key, value, headers FROM ${OUTBOX} ORDER BY seq`)) as {
    message_key: string;
    value: string;
    headers: Record<string, string>;
  }[];
  return rows.map((r) => ({ key: r.message_key, value: r.value, headers: r.headers }));
}

/** The raw producer: `sendBatch` of `--batch` messages at a time, each awaited, as the relay does. */
async function runBaseline(
  bench: Bench,
  topic: string,
  messages: Message[],
): Promise<{ msgsPerSec: number; send: Timing }> {
  const send: Timing = { totalMs: 0, calls: 0 };
  const started = performance.now();
  for (let from = 0; from < messages.length; from += bench.options.batch) {
    const batchStarted = performance.now();
    await bench.baselineProducer.sendBatch({
      acks: -1,
      topicMessages: [{ topic, messages: messages.slice(from, from + bench.options.batch) }],
    });
    send.totalMs += performance.now() - batchStarted;
    send.calls++;
  }
  return { msgsPerSec: messages.length / ((performance.now() - started) / 1000), send };
}

/** The relay, started on a pre-committed backlog, timed until every row has `sent_at`. */
async function runRelay(
  bench: Bench,
  messages: number,
): Promise<{ msgsPerSec: number; timings: RelayTimings }> {
  const timings = new RelayTimings();
  const relay = newRelay(
    bench,
    timings.wrapDataSource(bench.dataSource),
    timings.wrapProducer(bench.relayProducer),
  );
  const started = performance.now();
  relay.start();
  try {
    await waitUntilDrained(bench.dataSource, 60_000 + messages * 5);
  } finally {
    await relay.stop();
  }
  return { msgsPerSec: messages / ((performance.now() - started) / 1000), timings };
}

function roundTopics(bench: Bench, round: number): { namer: TopicNamer; relay: string; baseline: string } {
  const namer = new TopicNamer(`${bench.prefix}${round === 0 ? 'warmup' : `r${round}`}.`);
  return {
    namer,
    relay: namer.physical(BenchLeadCaptured.topic),
    baseline: namer.physical('baseline.leads.v1'),
  };
}

/** One round (round 0 is the unreported warm-up): preload the outbox, then baseline and relay. */
async function runRound(bench: Bench, round: number, count: number, checks: Check[]): Promise<RoundResult> {
  const topics = roundTopics(bench, round);
  const writer = new OutboxWriter(SCHEMA, SCHEMA, topics.namer);
  const preloadRowsPerSec = await preloadOutbox(bench, writer, count);
  const messages = await outboxMessages(bench.dataSource);

  const first = round % 2 === 1 ? 'baseline' : 'relay';
  let baseline: Awaited<ReturnType<typeof runBaseline>> | undefined;
  let relay: Awaited<ReturnType<typeof runRelay>> | undefined;
  for (const side of first === 'baseline' ? ['baseline', 'relay'] : ['relay', 'baseline']) {
    if (side === 'baseline') baseline = await runBaseline(bench, topics.baseline, messages);
    else relay = await runRelay(bench, count);
  }
  if (!baseline || !relay) throw new Error('unreachable: a side did not run');

  // Exactly once at the Kafka level: every row has sent_at (so each was acknowledged at least once)
  // and the fresh topic holds exactly `count` messages (so none was sent twice).
  const name = round === 0 ? 'warm-up' : `round ${round}`;
  checks.push(
    { what: `${name}: outbox rows left unsent`, expected: 0, actual: await unsentCount(bench.dataSource) },
    {
      what: `${name}: messages on the relay's topic`,
      expected: count,
      actual: await topicMessageCount(bench.admin, topics.relay),
    },
    {
      what: `${name}: messages on the baseline topic`,
      expected: count,
      actual: await topicMessageCount(bench.admin, topics.baseline),
    },
  );
  return {
    round,
    first,
    preloadRowsPerSec,
    baselineMsgsPerSec: baseline.msgsPerSec,
    relayMsgsPerSec: relay.msgsPerSec,
    baselineSend: baseline.send,
    relay: relay.timings,
  };
}

/**
 * `latencyWriters` writers commit single-event transactions on a fixed schedule (together
 * `latencyRate` per second) while the relay runs. Each event's commit time is taken on the client
 * right after COMMIT returned; its publish time is the `sent_at` the relay wrote after the broker
 * acknowledged it (same machine, same clock).
 */
async function runLatency(bench: Bench, checks: Check[]): Promise<LatencyResult> {
  const { latencyRate, latencyWriters, latencySeconds, aggregates } = bench.options;
  const topics = new TopicNamer(`${bench.prefix}latency.`);
  const writer = new OutboxWriter(SCHEMA, SCHEMA, topics);
  await bench.dataSource.query(`TRUNCATE ${OUTBOX}`);
  await checkpoint(bench.dataSource);
  const relay = newRelay(bench, bench.dataSource, bench.relayProducer);
  relay.start();
  const committedAt = new Map<string, number>();
  let started = 0;
  let finished = 0;
  try {
    const intervalMs = (latencyWriters * 1000) / latencyRate;
    started = Date.now() + 100;
    const end = started + latencySeconds * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: latencyWriters }, async (_, w) => {
        for (let k = 0; ; k++) {
          const due = started + (w * intervalMs) / latencyWriters + k * intervalMs;
          if (due >= end) break;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          const event = benchEvent(next++, aggregates);
          const [envelope] = await bench.dataSource.transaction((tx) => writer.add(tx, [event]));
          committedAt.set(envelope.id, Date.now());
        }
      }),
    );
    finished = Date.now();
    await waitUntilDrained(bench.dataSource, 60_000);
  } finally {
    await relay.stop();
  }
  const rows = (await bench.dataSource.query(
    `SELECT id, (extract(epoch FROM sent_at) * 1000)::float8 AS sent_ms FROM ${OUTBOX} WHERE id = ANY($1::uuid[])`,
    [[...committedAt.keys()]],
  )) as { id: string; sent_ms: number | null }[];
  const latenciesMs = rows
    .filter((r) => r.sent_ms !== null)
    .map((r) => (r.sent_ms as number) - (committedAt.get(r.id) as number));
  const topic = topics.physical(BenchLeadCaptured.topic);
  checks.push(
    {
      what: 'latency: committed events published (sent_at set)',
      expected: committedAt.size,
      actual: latenciesMs.length,
    },
    {
      what: "latency: messages on the relay's topic",
      expected: committedAt.size,
      actual: await topicMessageCount(bench.admin, topic),
    },
  );
  const seconds = (finished - started) / 1000;
  return { events: committedAt.size, seconds, commitsPerSec: committedAt.size / seconds, latenciesMs };
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ms(n: number): string {
  return n.toFixed(1);
}

function sum(timings: Timing[]): Timing {
  return timings.reduce((a, t) => ({ totalMs: a.totalMs + t.totalMs, calls: a.calls + t.calls }), {
    totalMs: 0,
    calls: 0,
  });
}

function report(
  bench: Bench,
  rounds: RoundResult[],
  latency: LatencyResult,
  checks: Check[],
): { ratio: number } {
  const { options } = bench;
  const baseline = median(rounds.map((r) => r.baselineMsgsPerSec));
  const relay = median(rounds.map((r) => r.relayMsgsPerSec));
  const ratio = relay / baseline;

  print();
  print('throughput (msgs/s)');
  print('  round  first     baseline    relay     ratio   preload rows/s');
  for (const r of rounds) {
    print(
      `  ${String(r.round).padEnd(5)}  ${r.first.padEnd(8)}  ${int(r.baselineMsgsPerSec).padStart(8)}  ${int(r.relayMsgsPerSec).padStart(8)}` +
        `  ${(r.relayMsgsPerSec / r.baselineMsgsPerSec).toFixed(2).padStart(6)}   ${int(r.preloadRowsPerSec).padStart(8)}`,
    );
  }
  print(
    `  median           ${int(baseline).padStart(8)}  ${int(relay).padStart(8)}  ${ratio.toFixed(2).padStart(6)}`,
  );
  print(
    ratio >= TARGET_RATIO
      ? `  ratio ${ratio.toFixed(2)} >= target ${TARGET_RATIO}: OK`
      : `  *** BELOW TARGET: ratio ${ratio.toFixed(2)} < ${TARGET_RATIO} ***`,
  );

  const select = sum(rounds.map((r) => r.relay.select));
  const build = sum(rounds.map((r) => r.relay.build));
  const send = sum(rounds.map((r) => r.relay.send));
  const update = sum(rounds.map((r) => r.relay.update));
  const baselineSend = sum(rounds.map((r) => r.baselineSend));
  const relayBatchMs = (options.batch / relay) * 1000;
  print();
  print(`time per batch of ${options.batch} (ms, all rounds)`);
  print(`  baseline  sendBatch ${ms(perCall(baselineSend))}`);
  print(
    `  relay     SELECT ${ms(perCall(select))} + build ${ms(perCall(build))} + sendBatch ${ms(perCall(send))}` +
      ` + UPDATE ${ms(perCall(update))} = ${ms(perCall(select) + perCall(build) + perCall(send) + perCall(update))}` +
      ` (wall ~${ms(relayBatchMs)} at the median rate)`,
  );

  const l = latency.latenciesMs;
  print();
  print(
    `commit→publish latency: ${int(latency.events)} single-event transactions by ${options.latencyWriters} writers` +
      ` in ${latency.seconds.toFixed(1)} s: ${int(latency.commitsPerSec)}/s (target ${int(options.latencyRate)}/s)`,
  );
  if (latency.commitsPerSec < 0.95 * options.latencyRate) {
    print(
      `  note: the writers could not keep the schedule (${int(latency.commitsPerSec)} of ${int(options.latencyRate)} commits/s);` +
        ' the write path, not the relay, is the limit: try more --latency-writers or a lower --latency-rate',
    );
  }
  print(
    `  p50 ${ms(quantile(l, 0.5))} ms   p95 ${ms(quantile(l, 0.95))} ms   p99 ${ms(quantile(l, 0.99))} ms   max ${ms(Math.max(...l))} ms`,
  );

  print();
  print('checks');
  for (const c of checks) {
    print(
      `  ${c.actual === c.expected ? 'ok  ' : 'FAIL'}  ${c.what}: ${int(c.actual)} (expected ${int(c.expected)})`,
    );
  }
  return { ratio };
}

let interrupted = false;

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  const env = loadBenchEnv();
  Logger.overrideLogger(['warn', 'error']);
  const run = randomBytes(4).toString('hex');
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/lf_bench_${run}`;
  const databaseUrl = url.toString();
  const prefix = `bench.${run}.`;
  const teardown = new Teardown();
  process.once('SIGINT', () => {
    interrupted = true;
    Logger.overrideLogger(false); // the relay's complaints about its connection going away
    print('interrupted: dropping the database and topics');
    void teardown.run().finally(() => process.exit(130));
  });

  print(
    `outbox bench: ${int(options.messages)} messages x ${options.rounds} rounds, batch ${options.batch}, ` +
      `${options.aggregates} keys, ${PARTITIONS} partitions, acks=all, idempotent, maxInFlightRequests 1`,
  );
  print(
    `  database ${safeUrl(databaseUrl)}, broker ${env.KAFKA_BROKERS}, topics ${prefix}*, ${os.cpus().length} CPUs, node ${process.version}`,
  );

  try {
    teardown.add('drop database', () => dropDatabase(databaseUrl));
    const dataSource = await openServiceDataSource({
      url: databaseUrl,
      schema: SCHEMA,
      migrations: [messagingTablesMigration(SCHEMA)],
      poolSize: 10,
      applicationName: 'outbox-bench',
    });
    teardown.add('close database', () => dataSource.destroy());

    const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'outbox-bench' });
    const admin = kafka.admin();
    await admin.connect();
    teardown.add('disconnect admin', () => admin.disconnect());
    const baselineProducer = kafka.producer(PRODUCER_CONFIG);
    const relayProducer = kafka.producer(PRODUCER_CONFIG);
    const bench: Bench = { options, databaseUrl, prefix, dataSource, admin, baselineProducer, relayProducer };

    const topics = [
      ...Array.from({ length: options.rounds + 1 }, (_, round) => {
        const { relay, baseline } = roundTopics(bench, round);
        return [relay, baseline];
      }).flat(),
      new TopicNamer(`${prefix}latency.`).physical(BenchLeadCaptured.topic),
    ];
    teardown.add('delete topics', () => admin.deleteTopics({ topics }));
    await ensureTopics(admin, topics, { partitions: PARTITIONS, replicationFactor: 1 });

    await Promise.all([baselineProducer.connect(), relayProducer.connect()]);
    teardown.add('disconnect producers', () =>
      Promise.all([baselineProducer.disconnect(), relayProducer.disconnect()]),
    );

    const checks: Check[] = [];
    const rounds: RoundResult[] = [];
    // Warm-up (JIT, connections, page cache) for both sides; checked, not reported.
    await runRound(bench, 0, Math.min(options.messages, 10 * options.batch), checks);
    for (let round = 1; round <= options.rounds; round++) {
      const result = await runRound(bench, round, options.messages, checks);
      rounds.push(result);
      print(
        `  round ${round}/${options.rounds} (${result.first} first): baseline ${int(result.baselineMsgsPerSec)} msgs/s, ` +
          `relay ${int(result.relayMsgsPerSec)} msgs/s`,
      );
    }
    print(`  latency phase: ${options.latencySeconds} s at ${int(options.latencyRate)} commits/s`);
    const latency = await runLatency(bench, checks);

    const { ratio } = report(bench, rounds, latency, checks);
    const failed = checks.filter((c) => c.actual !== c.expected);
    const l = latency.latenciesMs;
    const round1 = (n: number): number => Math.round(n * 10) / 10;
    print(
      JSON.stringify({
        bench: 'outbox',
        baselineMsgsPerSec: Math.round(median(rounds.map((r) => r.baselineMsgsPerSec))),
        relayMsgsPerSec: Math.round(median(rounds.map((r) => r.relayMsgsPerSec))),
        ratio: Math.round(ratio * 1000) / 1000,
        target: TARGET_RATIO,
        p99CommitToPublishMs: round1(quantile(l, 0.99)),
        p50CommitToPublishMs: round1(quantile(l, 0.5)),
        p95CommitToPublishMs: round1(quantile(l, 0.95)),
        maxCommitToPublishMs: round1(Math.max(...l)),
        messages: options.messages,
        batch: options.batch,
        rounds: options.rounds,
        checksPassed: failed.length === 0,
      }),
    );
    if (failed.length > 0) {
      print(`FAILED: ${failed.length} check(s) did not hold (see above)`);
      return 1;
    }
    return 0;
  } finally {
    await teardown.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (interrupted) return; // the SIGINT handler exits once the teardown is done
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`outbox bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
