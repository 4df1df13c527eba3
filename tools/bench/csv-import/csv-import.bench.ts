/**
 * `node tools/bench/csv-import/run.mjs` (see tools/bench/README.md): a CSV import through the
 * ingestion service (upload over HTTP, worker, normalization, de-duplication, leads, contacts and
 * outbox events) against a raw `COPY` of the same file into a plain table, and the peak resident
 * memory of the ingestion process while it imports.
 *
 * Runs identity and ingestion from dist/ on a fresh database (`lf_bench_<random>`) and fresh topics
 * (`bench.<random>.*`), all removed at the end. Exit code 1 if the import's counts are not the ones
 * the generated file implies, 0 otherwise, including when a target is missed: the bench measures,
 * it does not gate.
 */
import 'reflect-metadata';
import { createKafka } from '@leadflow/platform/messaging';
import { dropDatabase, ensureDatabase, safeUrl } from '@leadflow/platform/persistence';
import { ApiClient, eventually, signUp } from '@leadflow/platform/testing';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchOptions } from './bench-options';
import { UsageError, loadBenchEnv, parseBenchOptions } from './bench-options';
import type { ExpectedCounts } from './leads-csv';
import { CSV_HEADER, writeLeadsCsv } from './leads-csv';
import { uploadMultipart } from './multipart-upload';
import type { ServiceProcess } from './services';
import { call, memoryOf, startService, stopService } from './services';

const TARGET_RATIO = 0.5;
const TARGET_PEAK_RSS_MB = 300;
const ROOT = resolve(__dirname, '../../../..');

interface ImportView {
  id: string;
  status: string;
  processed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
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

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The baseline: the same file into a plain table of text columns with one COPY (FORMAT csv). */
async function rawCopy(databaseUrl: string, path: string): Promise<{ seconds: number; rows: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS bench_raw_leads`);
    await client.query(`CREATE TABLE bench_raw_leads (${CSV_HEADER.map((c) => `${c} text`).join(', ')})`);
    const started = performance.now();
    const copy = client.query(copyFrom(`COPY bench_raw_leads FROM STDIN (FORMAT csv, HEADER true)`));
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), copy);
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_raw_leads');
    await client.query(`DROP TABLE bench_raw_leads`);
    return { seconds, rows: rows[0].n };
  } finally {
    await client.end();
  }
}

/**
 * Signs up, moves the organization to the enterprise plan (no monthly lead quota, which would stop
 * the import) as the operator does (X-Operator-Token on identity's port), waits for ingestion to
 * know it, creates a solar webhook (retrying while the workspace reaches ingestion) and answers a
 * token.
 */
async function prepareTenant(
  identity: string,
  ingestion: string,
  databaseUrl: string,
  operatorToken: string,
): Promise<{ token: string; webhookId: string }> {
  const registered = await signUp(new ApiClient(identity), 'Bench', {
    email: `bench.${Date.now()}@example.com`,
  });
  const token = registered.accessToken;
  const upgraded = await call(`${identity}/api/v1/organization-plans/${registered.organization.id}`, {
    method: 'PUT',
    headers: { 'X-Operator-Token': operatorToken },
    body: { plan: 'enterprise' },
  });
  if (upgraded.status !== 200) throw new Error(`enterprise plan: ${upgraded.status} ${upgraded.text}`);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      const { rows } = await db
        .query(`SELECT 1 FROM ingestion.organizations WHERE id = $1 AND quotas->'leads' = 'null'::jsonb`, [
          registered.organization.id,
        ])
        .catch(() => ({ rows: [] }));
      if (rows.length === 1) break;
      if (Date.now() > deadline) throw new Error('the enterprise plan did not reach ingestion within 60 s');
    }
  } finally {
    await db.end();
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const webhook = await call<{ id: string }>(`${ingestion}/api/v1/webhooks`, {
      token,
      body: { name: 'Bench vendor', workspaceId: registered.workspace.id, vertical: 'solar' },
    });
    if (webhook.status === 201) return { token, webhookId: webhook.body.id };
    if (Date.now() > deadline) throw new Error(`create webhook: ${webhook.status} ${webhook.text}`);
    await sleep(500);
  }
}

async function main(): Promise<number> {
  const options: BenchOptions = parseBenchOptions(process.argv.slice(2));
  const env = loadBenchEnv();
  const run = randomBytes(4).toString('hex');
  const databaseUrl = (() => {
    const url = new URL(env.DATABASE_URL);
    url.pathname = `/lf_bench_${run}`;
    return url.toString();
  })();
  const prefix = `bench.${run}.`;
  const teardown = new Teardown();
  process.once('SIGINT', () => {
    interrupted = true;
    print('\ninterrupted: cleaning up');
    void teardown.run().finally(() => process.exit(130));
  });

  try {
    print(
      `csv-import bench: ${int(options.rows)} rows, ${os.cpus().length} CPUs, Node ${process.version}, ` +
        `PostgreSQL ${safeUrl(databaseUrl)}, Kafka ${env.KAFKA_BROKERS}`,
    );
    const work = mkdtempSync(join(os.tmpdir(), 'lf-bench-csv-'));
    teardown.add('remove work directory', async () => rmSync(work, { recursive: true, force: true }));
    const csvPath = join(work, 'leads.csv');
    const generated = await writeLeadsCsv(csvPath, options.rows);
    print(`  generated ${int(options.rows)} rows, ${(generated.bytes / 1e6).toFixed(1)} MB`);

    await ensureDatabase(databaseUrl);
    if (options.keepDatabase) print(`  keeping database ${safeUrl(databaseUrl)}`);
    else teardown.add('drop database', () => dropDatabase(databaseUrl));

    // Baseline first, on a quiet machine (the file is in the page cache, as for the upload).
    const raw = await rawCopy(databaseUrl, csvPath);
    if (raw.rows !== options.rows) throw new Error(`raw COPY stored ${raw.rows} rows, not ${options.rows}`);
    print(`  raw COPY: ${raw.seconds.toFixed(2)} s (${int(options.rows / raw.seconds)} rows/s)`);

    const identityPort = options.basePort;
    const ingestionPort = options.basePort + 1;
    const identity = `http://127.0.0.1:${identityPort}`;
    const ingestion = `http://127.0.0.1:${ingestionPort}`;
    // Plans are set by the operator: the bench is its own operator for this run.
    const operatorToken = randomBytes(16).toString('hex');
    const common = {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      IDENTITY_JWKS_URL: `${identity}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    };
    const services: ServiceProcess[] = [];
    teardown.add('stop services', () => Promise.all(services.map(stopService)));
    const kafka = createKafka({
      brokers: env.KAFKA_BROKERS,
      clientId: 'csv-import-bench',
      logger: new Logger('Kafka'),
    });
    const admin = kafka.admin();
    await admin.connect();
    teardown.add('disconnect admin', () => admin.disconnect());
    teardown.add('delete topics', async () => {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    });

    if (!options.relay) {
      // The relay publishes only while it holds this lease (OutboxRelay); the bench takes it first.
      const lease = new Client({ connectionString: databaseUrl });
      await lease.connect();
      await lease.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', ['outbox-relay:ingestion']);
      teardown.add('release the relay lease', () => lease.end());
      print('  the outbox relay is held off: the service publishes nothing during the run');
    }
    services.push(
      await startService('identity', identityPort, {
        ...common,
        IDENTITY_PORT: String(identityPort),
        OPERATOR_TOKEN: operatorToken,
      }),
    );
    // The ingestion process's log (and its CPU profile with --profile true) are left here.
    const profileDir = join(ROOT, 'tmp/bench-csv-import');
    mkdirSync(profileDir, { recursive: true });
    const ingestionRun = await startService(
      'ingestion',
      ingestionPort,
      {
        ...common,
        LOG_LEVEL: 'info',
        INGESTION_PORT: String(ingestionPort),
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        IMPORT_DIR: join(work, 'imports'),
      },
      [
        ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ...options.ingestionNodeArgs.split(' ').filter(Boolean),
      ],
    );
    services.push(ingestionRun);
    const pid = ingestionRun.child.pid ?? 0;
    const { token, webhookId } = await prepareTenant(identity, ingestion, databaseUrl, operatorToken);
    const idleMemory = memoryOf(pid);

    // The import: upload (streamed from disk) until the worker reports it completed.
    const started = performance.now();
    const uploaded = await uploadMultipart(
      `${ingestion}/api/v1/imports`,
      token,
      { webhookId },
      {
        path: csvPath,
        name: 'bench-leads.csv',
        type: 'text/csv',
      },
    );
    const uploadSeconds = (performance.now() - started) / 1000;
    if (uploaded.status !== 202) throw new Error(`upload: ${uploaded.status} ${uploaded.text}`);
    const { id } = JSON.parse(uploaded.text) as { id: string };
    // Progress is polled in the database, not over HTTP, so that the bench's own requests cost the
    // service nothing; the final view is read once through the API.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    teardown.add('close bench connection', () => db.end());
    let peakSampledMb = 0;
    for (;;) {
      peakSampledMb = Math.max(peakSampledMb, memoryOf(pid)?.currentMb ?? 0);
      const { rows } = await db.query<{ status: string }>(
        'SELECT status FROM ingestion.imports WHERE id = $1',
        [id],
      );
      if (['completed', 'failed', 'cancelled'].includes(rows[0]?.status ?? '')) break;
      await sleep(100);
    }
    const importSeconds = (performance.now() - started) / 1000;
    const memory = memoryOf(pid);
    const view = (await call<ImportView>(`${ingestion}/api/v1/imports/${id}`, { token })).body;
    const processing =
      view.startedAt && view.finishedAt
        ? (Date.parse(view.finishedAt) - Date.parse(view.startedAt)) / 1000
        : NaN;
    // The worker logs its timings just after it committed the end of the import.
    const timings: Record<string, unknown> =
      (await eventually(
        async () => ingestionRun.jsonLines().find((line) => line.msg === 'import completed'),
        (line) => line !== undefined,
        { timeoutMs: 5000, intervalMs: 50, what: 'the import completed log line' },
      ).catch(() => undefined)) ?? {};

    const { rows: backlog } = await db.query<{ events: number; unsent: number; leads: number }>(
      `SELECT (SELECT count(*)::int FROM ingestion.outbox) AS events,
              (SELECT count(*)::int FROM ingestion.outbox WHERE sent_at IS NULL) AS unsent,
              (SELECT count(*)::int FROM ingestion.leads) AS leads`,
    );

    writeFileSync(join(profileDir, 'ingestion.log'), ingestionRun.output());
    const problems = ingestionRun
      .jsonLines()
      .filter((line) => typeof line.level === 'number' && line.level >= 40);
    if (problems.length > 0) {
      const kinds = [...new Set(problems.map((line) => String(line.msg)))].slice(0, 5);
      print(`  ingestion logged ${problems.length} warning(s)/error(s): ${kinds.join(' / ')}`);
    }
    const ratio = raw.seconds / importSeconds;
    const peakMb = memory?.peakMb ?? NaN;
    print();
    print(`  upload (HTTP, streamed to disk): ${uploadSeconds.toFixed(2)} s`);
    print(
      `  import, upload to completed:     ${importSeconds.toFixed(2)} s (${int(options.rows / importSeconds)} rows/s); ` +
        `worker ${processing.toFixed(2)} s`,
    );
    if (typeof timings.normalizeMs === 'number' && typeof timings.writeMs === 'number') {
      print(
        `    worker time: read + normalize ${(timings.normalizeMs / 1000).toFixed(1)} s, ` +
          `write batches ${(timings.writeMs / 1000).toFixed(1)} s (${String(timings.batches)} batches; they overlap)`,
      );
      const steps = (timings.stepsMs ?? {}) as Record<string, number>;
      print(
        `    batch steps (s): ${Object.entries(steps)
          .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)}`)
          .join(', ')}`,
      );
    }
    print(
      `  status ${view.status}: ${int(view.accepted)} accepted, ${int(view.duplicates)} duplicates, ` +
        `${int(view.rejected)} rejected; ${int(backlog[0].leads)} leads, ${int(backlog[0].events)} outbox events ` +
        `(${int(backlog[0].unsent)} not yet published at completion)`,
    );
    print(`  ratio raw COPY time / import time: ${ratio.toFixed(3)} (target ≥ ${TARGET_RATIO})`);
    // Normalizing every row (libphonenumber, e-mail, vertical checks) is work a raw COPY never does:
    // on its own, in this process, it already bounds the ratio, whatever the writes cost.
    const normalizeSeconds = typeof timings.normalizeMs === 'number' ? timings.normalizeMs / 1000 : NaN;
    const ceiling = raw.seconds / normalizeSeconds;
    if (Number.isFinite(ceiling)) {
      print(
        `  ceiling: normalizing the rows alone took ${normalizeSeconds.toFixed(2)} s — ` +
          `an import that normalizes every row cannot pass ${ceiling.toFixed(3)} of raw COPY here`,
      );
    }
    print(
      `  ingestion RSS: idle ${idleMemory?.currentMb.toFixed(0)} MB, peak (VmHWM) ${peakMb.toFixed(0)} MB ` +
        `(target ≤ ${TARGET_PEAK_RSS_MB} MB), highest sampled ${peakSampledMb.toFixed(0)} MB`,
    );
    if (ratio < TARGET_RATIO) print(`  *** BELOW TARGET: ratio ${ratio.toFixed(3)} < ${TARGET_RATIO} ***`);
    if (peakMb > TARGET_PEAK_RSS_MB)
      print(`  *** ABOVE TARGET: peak RSS ${peakMb.toFixed(0)} MB > ${TARGET_PEAK_RSS_MB} MB ***`);

    const expected: ExpectedCounts = generated;
    const countsOk =
      view.status === 'completed' &&
      view.processed === expected.rows &&
      view.accepted === expected.accepted &&
      view.duplicates === expected.duplicates &&
      view.rejected === expected.rejected;
    print(
      JSON.stringify({
        bench: 'csv-import',
        rows: options.rows,
        megabytes: Math.round(generated.bytes / 1e5) / 10,
        rawCopySeconds: Math.round(raw.seconds * 100) / 100,
        uploadSeconds: Math.round(uploadSeconds * 100) / 100,
        importSeconds: Math.round(importSeconds * 100) / 100,
        workerSeconds: Math.round(processing * 100) / 100,
        rowsPerSecond: Math.round(options.rows / importSeconds),
        ratio: Math.round(ratio * 1000) / 1000,
        targetRatio: TARGET_RATIO,
        normalizeCeilingRatio: Number.isFinite(ceiling) ? Math.round(ceiling * 1000) / 1000 : null,
        peakRssMb: Math.round(peakMb),
        targetPeakRssMb: TARGET_PEAK_RSS_MB,
        countsOk,
      }),
    );
    if (!countsOk) {
      print(`FAILED: expected ${JSON.stringify(expected)}, the import reported ${JSON.stringify(view)}`);
      return 1;
    }
    return 0;
  } finally {
    await teardown.run();
  }
}

let interrupted = false;

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (interrupted) return; // the SIGINT handler exits once the teardown is done
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`csv-import bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
