// The platform the intake bench drives, started as `npm start` runs it: every service of
// tools/dev/platform.mjs (identity, ingestion, the five others idle, the gateway) as built
// processes (dist/apps/<service>/src/main.js) with one environment, on one fresh database, with
// their own Kafka topic prefix and Redis key prefix. Plus the machine's CPU accounting (/proc)
// used to say where a phase's CPU time went.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES as PLATFORM_SERVICES } from '../../dev/platform.mjs';

/** What intake needs: the others only share the machine (`--services intake` leaves them out). */
export const INTAKE_SERVICES = ['identity', 'ingestion', 'gateway'];
/** Every service, identity first (it creates the signing key the others read), the gateway last. */
export const SERVICES = [
  'identity',
  'ingestion',
  ...PLATFORM_SERVICES.map((s) => s.name).filter((name) => !INTAKE_SERVICES.includes(name)),
  'gateway',
];

export function mainOf(root, service) {
  return join(root, 'dist/apps', service, 'src/main.js');
}

/**
 * The one environment of the platform (as start.mjs builds it): each service's port is the
 * bench's base port plus its offset from the gateway's default (3000), so gateway = base,
 * identity = base + 1, ingestion = base + 2, … analytics = base + 7; every URL points there.
 */
export function platformEnv({
  basePort,
  databaseUrl,
  brokers,
  topicPrefix,
  redisUrl,
  redisPrefix,
  importDir,
  operatorToken,
}) {
  const urls = {};
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    REDIS_URL: redisUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    // Plans are set by the operator (X-Operator-Token, identity's port): the bench is its own.
    OPERATOR_TOKEN: operatorToken,
    REDIS_KEY_PREFIX: redisPrefix,
    RATE_LIMIT_KEY_PREFIX: redisPrefix,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
    PUBLIC_BASE_URL: `http://127.0.0.1:${basePort}`,
    IMPORT_DIR: importDir,
  };
  for (const service of PLATFORM_SERVICES) {
    const port = basePort + (service.port - 3000);
    urls[service.name] = `http://127.0.0.1:${port}`;
    env[service.envPort] = String(port);
    env[service.envUrl] = urls[service.name];
  }
  env.IDENTITY_JWKS_URL = `${urls.identity}/.well-known/jwks.json`;
  return { urls, env: Object.fromEntries(SERVICES.map((name) => [name, env])) };
}

/** One service process; `output()` keeps the last 64 KB it printed (for errors), `lines()` counts them. */
export function startService(root, service, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, mainOf(root, service)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let lines = 0;
  const keep = (chunk) => {
    const text = chunk.toString();
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    output = (output + text).slice(-65_536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { service, child, exited, output: () => output, lines: () => lines };
}

/**
 * Waits until `url` answers 200 and, for a service's `/readyz`, until its `kafka` detail is up
 * (readiness does not wait for the broker), or the process dies: then throws with what it printed.
 */
export async function waitReady(run, url, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`${run.service} exited while starting:\n${run.output()}`);
    }
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (res) => {
        if (res.status !== 200) return res.status;
        const kafka = (await res.json().catch(() => ({}))).details?.kafka;
        return kafka && kafka.status !== 'up' ? 0 : 200;
      })
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${run.service} not ready at ${url} after ${timeoutMs} ms:\n${run.output()}`);
    await sleep(200);
  }
}

/** SIGTERM (the services drain and flush on it), SIGKILL after `graceMs`. */
export async function stopService(run, graceMs = 15_000) {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return run.exited;
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), graceMs);
  const result = await run.exited;
  clearTimeout(timer);
  return result;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; elsewhere every figure is null)
// ---------------------------------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

/** CPU seconds (user + system) a process has used so far, or null. */
function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Resident memory of a process in MB (VmRSS), or null. */
export function residentMb(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (all cores), or null. */
function machineBusySeconds() {
  if (!existsSync('/proc/stat')) return null;
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** The pid listening on 127.0.0.1:`port` (the Kafka broker, Redis), or null (`ss` missing, not local). */
export function listenerPid(port) {
  const ss = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(ss.stdout ?? '')?.[1];
  return pid === undefined ? null : Number(pid);
}

/**
 * CPU of the PostgreSQL backends serving one database (pg_stat_activity), sampled every 250 ms so
 * that backends which end during a phase (pgbench's) are counted up to their last sample.
 */
export class BackendCpu {
  last = new Map();
  timer;

  constructor(db, database) {
    this.db = db;
    this.database = database;
  }

  async sample() {
    const { rows } = await this.db.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.database],
    );
    for (const { pid } of rows) {
      const cpu = processCpuSeconds(pid);
      if (cpu !== null) this.last.set(pid, cpu);
    }
  }

  start() {
    this.timer = setInterval(() => void this.sample().catch(() => undefined), 250);
  }

  stop() {
    clearInterval(this.timer);
  }

  /** Per-pid CPU seconds so far (a fresh sample first). */
  async snapshot() {
    await this.sample();
    return new Map(this.last);
  }
}

/** A snapshot of CPU used by the bench itself, each service, PostgreSQL, Kafka, Redis and the machine. */
export async function cpuSnapshot(runs, { backends, kafkaPid, redisPid }) {
  const usage = process.cpuUsage();
  return {
    client: (usage.user + usage.system) / 1e6,
    services: Object.fromEntries(runs.map((run) => [run.service, processCpuSeconds(run.child.pid)])),
    postgres: await backends.snapshot(),
    kafka: kafkaPid === null ? null : processCpuSeconds(kafkaPid),
    redis: redisPid === null ? null : processCpuSeconds(redisPid),
    machine: machineBusySeconds(),
  };
}

/**
 * CPU seconds spent between two snapshots: by the bench (the HTTP client), each service, this
 * database's PostgreSQL backends, the Kafka broker, Redis, and the rest of the machine (other
 * PostgreSQL processes such as the WAL writer, and any other work running meanwhile).
 */
export function cpuSpent(before, after) {
  const delta = (a, b) => (a === null || b === null || a === undefined || b === undefined ? null : a - b);
  const services = {};
  for (const [name, value] of Object.entries(after.services))
    services[name] = delta(value, before.services[name]);
  let postgres = 0;
  for (const [pid, value] of after.postgres) postgres += value - (before.postgres.get(pid) ?? 0);
  const spent = {
    client: after.client - before.client,
    services,
    postgres,
    kafka: delta(after.kafka, before.kafka),
    redis: delta(after.redis, before.redis),
    machine: delta(after.machine, before.machine),
  };
  const known =
    spent.client +
    Object.values(services).reduce((a, b) => a + (b ?? 0), 0) +
    postgres +
    (spent.kafka ?? 0) +
    (spent.redis ?? 0);
  return { ...spent, rest: spent.machine === null ? null : Math.max(0, spent.machine - known) };
}
