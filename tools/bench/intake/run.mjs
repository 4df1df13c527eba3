// `npm run bench:intake [-- --seconds 20 --warmup 5 --concurrency 32 --rounds 1 --profile]`
//
// Lead intake throughput (leads/s) and latency (p50/p99) at a fixed concurrency of distinct leads
// over HTTP keep-alive, (a) straight to the ingestion process and (b) through the gateway, against
// (c) pgbench running intake's write transaction (contact upsert + lead insert + outbox insert) on
// copies of ingestion's tables in the same database with the same number of clients. Prints the
// ratios direct / pgbench (target ≥ 0.6) and gateway cost 1 − gateway / direct (target ≤ 15 %).
//
// Builds nothing: it runs dist/ as `npm run build` left it. Starts what it needs (identity,
// ingestion and gateway from dist/, on a fresh database `lf_bench_intake_<random>`, Kafka topics
// `bench.<random>.*` and Redis keys `bench-intake:<random>:*`, all removed at the end; a Kafka
// broker if none runs). Measures, does not gate: exit 1 only when intake failed or refused a lead.
// See tools/bench/README.md.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVICE_NODE_ARGS } from '../../dev/platform.mjs';
import { growDatabase } from './grow.mjs';
import { leadBody, median, runLoad } from './load.mjs';
import {
  BackendCpu,
  INTAKE_SERVICES,
  SERVICES,
  cpuSnapshot,
  cpuSpent,
  listenerPid,
  mainOf,
  platformEnv,
  residentMb,
  startService,
  stopService,
  waitReady,
} from './platform.mjs';
import { SCRATCH, findPgbench, prepareScratchSchema, runPgbench, writeScript } from './pgbench.mjs';
import { summarizeProfile } from './profile.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(join(ROOT, 'package.json'));
const HERE = join(ROOT, 'tools/bench/intake');
const DIRECT_TARGET = 0.6;
const GATEWAY_COST_TARGET = 0.15;
const GROWTH_TARGET = 0.8;
const PHASES = ['direct', 'gateway', 'pgbench'];

const USAGE = `usage: node tools/bench/intake/run.mjs [--seconds 20] [--warmup 5] [--concurrency 32] [--rounds 1]
                                     [--base-port 14700] [--services all|intake] [--node-args="<V8 flags>"] [--profile] [--keep]
                                     [--grown-leads 10000000 [--grown-contacts N] [--grown-organizations 200]]`;

function print(line = '') {
  process.stdout.write(`${line}\n`);
}

function log(line) {
  process.stdout.write(`[bench:intake] ${line}\n`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '1' },
      'base-port': { type: 'string', default: '14700' },
      services: { type: 'string', default: 'all' },
      'grown-leads': { type: 'string', default: '0' },
      'grown-contacts': { type: 'string' },
      'grown-organizations': { type: 'string', default: '200' },
      'node-args': { type: 'string', default: SERVICE_NODE_ARGS.join(' ') },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    print(USAGE);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer in ${min}..${max}\n${USAGE}`);
    return n;
  };
  return {
    seconds: int('seconds', 1, 3600),
    warmup: int('warmup', 0, 600),
    concurrency: int('concurrency', 1, 512),
    rounds: int('rounds', 1, 20),
    basePort: int('base-port', 1024, 65_000),
    services: (() => {
      if (values.services !== 'all' && values.services !== 'intake')
        throw new Error(`--services must be all or intake\n${USAGE}`);
      return values.services;
    })(),
    grownLeads: int('grown-leads', 0, 100_000_000),
    grownContacts:
      values['grown-contacts'] === undefined
        ? Math.max(1, Math.floor(Number(values['grown-leads']) / 2))
        : int('grown-contacts', 1, 100_000_000),
    grownOrganizations: int('grown-organizations', 2, 100_000),
    nodeArgs: values['node-args'].split(' ').filter(Boolean),
    profile: values.profile,
    keep: values.keep,
  };
}

/** Undo steps, run in reverse order at the end (also on failure and Ctrl-C). */
class Teardown {
  steps = [];
  done;

  add(what, run) {
    this.steps.push({ what, run });
  }

  run() {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`teardown: ${step.what} failed: ${error.message}`);
        }
      }
    })();
    return this.done;
  }
}

async function api(base, method, path, { token, body, headers } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : {};
}

async function eventually(probe, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function main(teardown) {
  const options = parseOptions(process.argv.slice(2));
  for (const service of SERVICES) {
    if (!existsSync(mainOf(ROOT, service))) {
      throw new Error(`${relative(ROOT, mainOf(ROOT, service))} is missing: build first (npm run build)`);
    }
  }
  const pgbench = findPgbench();
  if (!pgbench) throw new Error('pgbench not found (PATH, pg_config --bindir, /usr/lib/postgresql/*/bin)');
  const { Client } = require('pg');

  const run = randomBytes(3).toString('hex');
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: cleaning up');
    void teardown.run().then(() => process.exit(130));
  });

  // --- infrastructure: a database of our own, a broker, prefixes -------------------------------
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/leadflow';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    const { ensureBroker } = require('./tools/kafka/broker.js');
    ({ brokers } = await ensureBroker({ log }));
  }
  const database = `lf_bench_intake_${run}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
  const adminDb = new Client({ connectionString: admin.toString() });
  await adminDb.connect();
  await adminDb.query(`CREATE DATABASE ${database}`);
  await adminDb.end();
  teardown.add('drop database', async () => {
    if (options.keep) return log(`kept database ${database}`);
    const db = new Client({ connectionString: admin.toString() });
    await db.connect();
    await db.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await db.end();
  });
  const topicPrefix = `bench.${run}.`;
  teardown.add('delete topics', async () => {
    const { Kafka, logLevel } = require('kafkajs');
    const kafkaAdmin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    try {
      const topics = (await kafkaAdmin.listTopics()).filter((t) => t.startsWith(topicPrefix));
      if (topics.length > 0) await kafkaAdmin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await kafkaAdmin.disconnect();
    }
  });
  const redisPrefix = `bench-intake:${run}:`;
  teardown.add('delete Redis keys', async () => {
    const Redis = require('ioredis');
    const redis = new (Redis.default ?? Redis)(redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  const work = mkdtempSync(join(os.tmpdir(), `lf-bench-intake-${run}-`));
  teardown.add('remove work directory', async () => rmSync(work, { recursive: true, force: true }));
  const profileDir = join(ROOT, 'tmp/bench-intake', run);
  if (options.profile) mkdirSync(profileDir, { recursive: true });

  // --- the platform -------------------------------------------------------------------------------
  const operatorToken = randomBytes(16).toString('hex');
  const platform = platformEnv({
    basePort: options.basePort,
    databaseUrl,
    brokers,
    topicPrefix,
    redisUrl,
    redisPrefix,
    importDir: join(work, 'imports'),
    operatorToken,
  });
  const runs = {};
  teardown.add('stop services', async () => {
    await Promise.all(Object.values(runs).map((r) => stopService(r)));
  });
  const start = async (service, nodeArgs = [], extraEnv = {}) => {
    runs[service] = startService(ROOT, service, { ...platform.env[service], ...extraEnv }, [
      ...options.nodeArgs,
      ...nodeArgs,
    ]);
    await waitReady(
      runs[service],
      `${platform.urls[service]}/${service === 'gateway' ? 'healthz' : 'readyz'}`,
    );
  };
  log(`database ${database}, topics ${topicPrefix}*, Redis keys ${redisPrefix}*`);
  await start('identity'); // first: it creates the signing key the others read
  await start(
    'ingestion',
    options.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--require', join(HERE, 'query-counter.cjs')]
      : [],
    options.profile ? { BENCH_QUERY_COUNTS_FILE: join(profileDir, 'query-counts.json') } : {},
  );
  // The rest of the platform, idle, as users run it (unless --services intake).
  const others = SERVICES.filter((s) => !INTAKE_SERVICES.includes(s));
  if (options.services === 'all') await Promise.all(others.map((service) => start(service)));
  await start('gateway');
  await sleep(2000); // past start-up's allocations, before any load
  const idleRss = Object.fromEntries(Object.values(runs).map((r) => [r.service, residentMb(r.child.pid)]));
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  teardown.add('close database connection', () => db.end());
  const samplerDb = new Client({ connectionString: databaseUrl });
  await samplerDb.connect();
  teardown.add('close sampler connection', () => samplerDb.end());
  const backends = new BackendCpu(samplerDb, database);
  backends.start();
  teardown.add('stop sampling', async () => backends.stop());
  const cpuOf = {
    backends,
    kafkaPid: listenerPid(Number(brokers.split(',')[0].split(':').pop())),
    redisPid: listenerPid(Number(new URL(redisUrl).port || 6379)),
  };
  const snapshot = () => cpuSnapshot(Object.values(runs), cpuOf);

  // --- the tenant: an organization on the enterprise plan, a webhook, a provider ----------------------
  const gateway = platform.urls.gateway;
  const owner = await api(gateway, 'POST', '/api/v1/auth/register', {
    body: {
      email: `bench.${run}@example.com`,
      password: 'violet-anchor-harbor-42',
      name: 'Bench Owner',
      organizationName: 'Bench Leads',
    },
  });
  const token = owner.accessToken;
  await api(platform.urls.identity, 'PUT', `/api/v1/organization-plans/${owner.organization.id}`, {
    headers: { 'X-Operator-Token': operatorToken },
    body: { plan: 'enterprise' },
  });
  await eventually(async () => {
    const { rows } = await db
      .query(`SELECT 1 FROM ingestion.organizations WHERE id = $1 AND quotas->'leads' = 'null'::jsonb`, [
        owner.organization.id,
      ])
      .catch(() => ({ rows: [] }));
    return rows.length === 1;
  }, 'the enterprise plan (no monthly lead quota) to reach ingestion');
  const webhook = await api(gateway, 'POST', '/api/v1/webhooks', {
    token,
    body: {
      name: 'Bench vendor',
      workspaceId: owner.workspace.id,
      vertical: 'solar',
      rateLimit: 1_000_000,
      rateWindowSeconds: 3600,
    },
  });
  const provider = await api(gateway, 'POST', '/api/v1/providers', {
    token,
    body: { name: 'Bench Leads Inc', hourlyLimit: 10_000_000 },
  });
  const headers = {
    'content-type': 'application/json',
    'x-provider-id': provider.id,
    'x-provider-key': provider.apiKey,
  };
  const path = `/webhooks/leads/${webhook.id}`;
  let leadNumber = 0;
  let posted = 0;
  const nextBody = () => leadBody(run, leadNumber++);

  const drainOutbox = () =>
    eventually(
      async () => {
        const { rows } = await db.query(
          'SELECT count(*)::int AS n FROM ingestion.outbox WHERE sent_at IS NULL',
        );
        return rows[0].n === 0;
      },
      'the outbox relay to publish the backlog',
      120_000,
    );
  const checkpoint = () => db.query('CHECKPOINT').catch(() => undefined);
  const commits = async () => {
    const { rows } = await db.query(
      'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  };

  // Seed: some stored leads to copy the pgbench script's shapes from.
  const seed = await runLoad({
    url: `${platform.urls.ingestion}${path}`,
    headers,
    concurrency: Math.min(8, options.concurrency),
    seconds: 2,
    nextBody,
  });
  posted += seed.answered;
  if (seed.created === 0) throw new Error(`intake stores nothing: ${seed.samples.join('; ')}`);
  await drainOutbox();
  await prepareScratchSchema(db);
  const script = join(work, 'intake.pgbench.sql');
  const shapes = await writeScript(db, { file: script, webhookId: webhook.id });
  const threads = Math.min(options.concurrency, os.availableParallelism());

  // --- the phases -------------------------------------------------------------------------------
  const results = Object.fromEntries(PHASES.map((p) => [p, []]));
  const phase = async (name) => {
    if (name === 'pgbench') {
      if (options.warmup > 0) {
        await runPgbench({
          pgbench,
          databaseUrl,
          script,
          clients: options.concurrency,
          threads,
          seconds: options.warmup,
          logDir: join(work, 'pgbench-warmup'),
        });
      }
      await checkpoint();
      const cpu0 = await snapshot();
      const x0 = await commits();
      const r = await runPgbench({
        pgbench,
        databaseUrl,
        script,
        clients: options.concurrency,
        threads,
        seconds: options.seconds,
        logDir: join(work, 'pgbench-log'),
      });
      const cpu = cpuSpent(cpu0, await snapshot());
      // pgbench is the client here: its CPU (from `time`) moves from `rest` to `client`.
      const pgbenchCpu = Number.isFinite(r.clientCpu) ? r.clientCpu : 0;
      cpu.client = pgbenchCpu;
      if (cpu.rest !== null) cpu.rest = Math.max(0, cpu.rest - pgbenchCpu);
      return { ...r, cpu, commits: (await commits()) - x0 };
    }
    const url = `${name === 'direct' ? platform.urls.ingestion : gateway}${path}`;
    if (options.warmup > 0) {
      const warm = await runLoad({
        url,
        headers,
        concurrency: options.concurrency,
        seconds: options.warmup,
        nextBody,
      });
      posted += warm.answered;
    }
    await drainOutbox();
    await checkpoint();
    const cpu0 = await snapshot();
    const x0 = await commits();
    const lines0 = Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, run.lines()]));
    const r = await runLoad({
      url,
      headers,
      concurrency: options.concurrency,
      seconds: options.seconds,
      nextBody,
    });
    posted += r.answered;
    const cpu = cpuSpent(cpu0, await snapshot());
    const logLines = Object.entries(runs).reduce((n, [name, run]) => n + run.lines() - lines0[name], 0);
    return { ...r, cpu, commits: (await commits()) - x0, logLines };
  };

  const started = Date.now();
  for (let round = 0; round < options.rounds; round++) {
    const order = [...PHASES.slice(round % PHASES.length), ...PHASES.slice(0, round % PHASES.length)];
    for (const name of order) {
      if (interrupted) return 130;
      log(
        `round ${round + 1}/${options.rounds}: ${name} (${options.warmup} s warm-up, ${options.seconds} s measured)`,
      );
      const r = await phase(name);
      results[name].push(r);
      const cpuPerLead =
        r.cpu.machine === null
          ? ''
          : `, machine CPU ${((r.cpu.machine * 1000) / r.created).toFixed(2)} ms/lead`;
      log(
        `  ${r.perSecond.toFixed(1)} leads/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors${cpuPerLead}`,
      );
    }
  }
  // --- cost growth: the same direct phase on a database holding a large customer base ---------------
  let grown;
  if (options.grownLeads > 0 && !interrupted) {
    log(
      `growing the database by ${options.grownLeads.toLocaleString('en-US')} leads, ` +
        `${options.grownContacts.toLocaleString('en-US')} contacts and their request log over ` +
        `${options.grownOrganizations} organizations (untimed)`,
    );
    grown = await growDatabase(db, {
      organizationId: owner.organization.id,
      workspaceId: owner.workspace.id,
      leads: options.grownLeads,
      contacts: options.grownContacts,
      organizations: options.grownOrganizations,
      log: (line) => log(line),
    });
    log(
      `grown in ${grown.seconds.toFixed(0)} s: ${grown.leads} leads, ${grown.contacts} contacts, ${grown.size}`,
    );
    results.grown = [];
    for (let round = 0; round < options.rounds; round++) {
      if (interrupted) return 130;
      log(`round ${round + 1}/${options.rounds}: direct on the grown database`);
      const r = await phase('direct');
      results.grown.push(r);
      log(
        `  ${r.perSecond.toFixed(1)} leads/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors`,
      );
    }
  }
  const totalSeconds = (Date.now() - started) / 1000;

  // --- report ---------------------------------------------------------------------------------------
  const summary = Object.fromEntries(
    Object.keys(results).map((name) => {
      const list = results[name];
      const created = list.reduce((n, r) => n + r.created, 0);
      const per = (pick) => {
        const values = list.map(pick);
        return values.some((v) => v === null || v === undefined)
          ? null
          : (values.reduce((a, b) => a + b, 0) * 1000) / created;
      };
      return [
        name,
        {
          perSecond: median(list.map((r) => r.perSecond)),
          p50: median(list.map((r) => r.p50)),
          p99: median(list.map((r) => r.p99)),
          errors: list.reduce((n, r) => n + r.errors, 0),
          cpuMsPerLead: {
            machine: per((r) => r.cpu.machine),
            client: per((r) => r.cpu.client),
            ingestion: per((r) => r.cpu.services.ingestion),
            gateway: per((r) => r.cpu.services.gateway),
            identity: per((r) => r.cpu.services.identity),
            others: per((r) =>
              Object.entries(r.cpu.services)
                .filter(([service]) => !INTAKE_SERVICES.includes(service))
                .reduce((sum, [, value]) => (value === null || sum === null ? null : sum + value), 0),
            ),
            byService: Object.fromEntries(
              Object.keys(list[0].cpu.services).map((service) => [
                service,
                per((r) => r.cpu.services[service]),
              ]),
            ),
            postgres: per((r) => r.cpu.postgres),
            kafka: per((r) => r.cpu.kafka),
            redis: per((r) => r.cpu.redis),
            rest: per((r) => r.cpu.rest),
            own: per((r) =>
              r.cpu.machine === null || r.cpu.rest === null ? null : r.cpu.machine - r.cpu.rest,
            ),
          },
          commitsPerLead: list.reduce((n, r) => n + r.commits, 0) / created,
          logLinesPerLead: list.reduce((n, r) => n + (r.logLines ?? 0), 0) / created,
          samples: list.flatMap((r) => r.samples ?? []).slice(0, 5),
        },
      ];
    }),
  );
  const direct = summary.direct.perSecond / summary.pgbench.perSecond;
  const gatewayCost = 1 - summary.gateway.perSecond / summary.direct.perSecond;
  // What each side would reach with the machine to itself: cores / its own CPU per lead. On a shared
  // machine (other work shows as `rest`) these ratios are steadier than the measured ones.
  const cores = os.availableParallelism();
  const capacity = (name) => (cores * 1000) / (summary[name].cpuMsPerLead.own ?? Number.NaN);
  const directByCpu = capacity('direct') / capacity('pgbench');
  const gatewayCostByCpu = 1 - capacity('gateway') / capacity('direct');
  const f = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
  const pad = (s, n) => String(s).padStart(n);
  const growth = summary.grown ? summary.grown.perSecond / summary.direct.perSecond : undefined;
  const growthByCpu = summary.grown ? capacity('grown') / capacity('direct') : undefined;

  print();
  print(
    `intake bench: ${options.concurrency} concurrent clients (keep-alive), ${options.seconds} s per phase after a ` +
      `${options.warmup} s warm-up, ${options.rounds} round(s) (medians); ${os.availableParallelism()} cores, Node ${process.version}`,
  );
  print(
    `  lead: ~${Buffer.byteLength(leadBody(run, 0))} bytes of JSON; pgbench: ${shapes.leadJsonBytes} bytes of lead JSON + ` +
      `${shapes.eventBytes} bytes of two events per transaction, ${SCRATCH}.* copies of ingestion's tables, -M extended`,
  );
  print();
  print(
    `  phase        leads/s   p50 ms   p99 ms  errors │ CPU ms per lead: machine  client  ingestion  gateway  identity  others  postgres  kafka  redis  rest   own │ cores/own │ commits/lead`,
  );
  for (const name of Object.keys(summary)) {
    const s = summary[name];
    const c = s.cpuMsPerLead;
    print(
      `  ${name.padEnd(10)} ${pad(f(s.perSecond), 9)} ${pad(f(s.p50), 8)} ${pad(f(s.p99), 8)} ${pad(s.errors, 7)} │ ` +
        `${pad(f(c.machine, 2), 24)} ${pad(f(c.client, 2), 7)} ${pad(f(c.ingestion, 2), 10)} ${pad(f(c.gateway, 2), 8)} ${pad(f(c.identity, 2), 9)} ${pad(f(c.others, 2), 7)} ` +
        `${pad(f(c.postgres, 2), 9)} ${pad(f(c.kafka, 2), 6)} ${pad(f(c.redis, 2), 6)} ${pad(f(c.rest, 2), 5)} ` +
        `${pad(f(c.own, 2), 5)} │ ${pad(f(capacity(name), 0), 7)}/s │ ${pad(f(s.commitsPerLead, 2), 12)}`,
    );
  }
  print();
  const verdict = (ok) => (ok ? 'ok' : '*** BELOW TARGET ***');
  print(
    `  direct / pgbench            = ${f(direct, 2)}    (target ≥ ${DIRECT_TARGET})   ${verdict(direct >= DIRECT_TARGET)}` +
      `     by CPU (cores/own): ${f(directByCpu, 2)}`,
  );
  print(
    `  gateway cost 1 − gw/direct  = ${f(gatewayCost * 100, 1)} %  (target ≤ ${GATEWAY_COST_TARGET * 100} %)   ` +
      `${gatewayCost <= GATEWAY_COST_TARGET ? 'ok' : '*** ABOVE TARGET ***'}     by CPU: ${f(gatewayCostByCpu * 100, 1)} %`,
  );
  if (growth !== undefined)
    print(
      `  grown / empty (direct)      = ${f(growth, 2)}    (target ≥ ${GROWTH_TARGET})   ${verdict(growth >= GROWTH_TARGET)}` +
        `     by CPU: ${f(growthByCpu, 2)}   (${grown.leads} leads, ${grown.contacts} contacts, ${grown.size})`,
    );
  print(
    `  (CPU: machine = all cores busy; client = the bench's HTTP client, or pgbench; ingestion includes its outbox relay;` +
      ` identity counts each lead.created toward the organization's usage; others = the services intake does not use` +
      ` (${options.services === 'all' ? 'running idle beside it, as under npm start' : 'not started: --services intake'});` +
      ` postgres = the backends of the bench database; rest = the machine minus all of these (WAL writer, checkpointer,` +
      ` other work on the machine); own = machine − rest. commits = transactions in the bench database, the relay's included)`,
  );
  for (const name of PHASES) {
    if (summary[name].errors > 0) print(`  ${name} errors, e.g.: ${summary[name].samples.join(' | ')}`);
    if (summary[name].logLinesPerLead > 0.01) {
      print(
        `  ${name}: the services printed ${f(summary[name].logLinesPerLead, 2)} log lines per lead at LOG_LEVEL=warn ` +
          '(something warns on every request: read their output)',
      );
    }
  }

  print();
  const afterRss = Object.fromEntries(Object.values(runs).map((r) => [r.service, residentMb(r.child.pid)]));
  print(
    '  RSS MB (idle after start → after the phases): ' +
      Object.keys(idleRss)
        .map((service) => `${service} ${f(idleRss[service], 0)} → ${f(afterRss[service], 0)}`)
        .join(', '),
  );

  if (options.profile) {
    print();
    log('stopping ingestion to write its CPU profile and query counts');
    await stopService(runs.ingestion);
    delete runs.ingestion;
    const profileFile = readdirSync(profileDir).find((n) => n.endsWith('.cpuprofile'));
    if (profileFile) {
      const p = summarizeProfile(join(profileDir, profileFile));
      print(
        `ingestion CPU profile (${relative(ROOT, join(profileDir, profileFile))}; whole process life, ${posted} intake posts): ` +
          `busy ${(p.busyMs / 1000).toFixed(1)} s of ${(p.wallMs / 1000).toFixed(1)} s, ${(p.busyMs / posted).toFixed(2)} ms per post`,
      );
      print('  self time by area:');
      for (const a of p.areas)
        print(
          `    ${pad((a.share * 100).toFixed(1), 5)} %  ${pad((a.ms / posted).toFixed(3), 7)} ms/post  ${a.name}`,
        );
      print('  self time by function:');
      for (const a of p.functions) print(`    ${pad((a.share * 100).toFixed(1), 5)} %  ${a.name}`);
    }
    const countsFile = join(profileDir, 'query-counts.json');
    if (existsSync(countsFile)) {
      const { sql, redis } = JSON.parse(readFileSync(countsFile, 'utf8'));
      const total = Object.values(sql).reduce((a, b) => a + b, 0);
      print(
        `  SQL statements sent by ingestion: ${(total / posted).toFixed(2)} per intake post (relay and consumers included):`,
      );
      for (const [shape, n] of Object.entries(sql)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 30)) {
        print(`    ${pad((n / posted).toFixed(2), 6)}  ${shape}`);
      }
      const redisTotal = Object.values(redis).reduce((a, b) => a + b, 0);
      print(
        `  Redis commands: ${(redisTotal / posted).toFixed(2)} per post: ` +
          Object.entries(redis)
            .sort((a, b) => b[1] - a[1])
            .map(([name, n]) => `${name} ${(n / posted).toFixed(2)}`)
            .join(', '),
      );
    }
  }

  print(
    JSON.stringify({
      bench: 'intake',
      options,
      seconds: Math.round(totalSeconds),
      directLeadsPerSec: Math.round(summary.direct.perSecond),
      gatewayLeadsPerSec: Math.round(summary.gateway.perSecond),
      pgbenchTps: Math.round(summary.pgbench.perSecond),
      directRatio: Number(direct.toFixed(3)),
      grownRatio: growth === undefined ? null : Number(growth.toFixed(3)),
      grownRatioByCpu: growthByCpu === undefined ? null : Number(growthByCpu.toFixed(3)),
      grown: grown ?? null,
      directRatioByCpu: Number(directByCpu.toFixed(3)),
      gatewayCostByCpu: Number(gatewayCostByCpu.toFixed(3)),
      directTarget: DIRECT_TARGET,
      gatewayCost: Number(gatewayCost.toFixed(3)),
      gatewayCostTarget: GATEWAY_COST_TARGET,
      p50Ms: Object.fromEntries(PHASES.map((p) => [p, Number(summary[p].p50.toFixed(2))])),
      p99Ms: Object.fromEntries(PHASES.map((p) => [p, Number(summary[p].p99.toFixed(2))])),
      cpuMsPerLead: Object.fromEntries(PHASES.map((p) => [p, summary[p].cpuMsPerLead])),
      errors: Object.fromEntries(PHASES.map((p) => [p, summary[p].errors])),
      rssMb: { idle: idleRss, after: afterRss },
    }),
  );
  return PHASES.some((p) => summary[p].errors > 0) ? 1 : 0;
}

const teardown = new Teardown();
main(teardown)
  .then(async (code) => {
    await teardown.run();
    process.exit(code ?? 1);
  })
  .catch(async (error) => {
    process.stderr.write(`[bench:intake] ${error.stack ?? error.message}\n`);
    await teardown.run();
    process.exit(1);
  });
