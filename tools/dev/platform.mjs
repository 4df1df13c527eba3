// Shared by the dev scripts (start, test, build, migrate, dlq): the service list, dependency
// installation, PostgreSQL and Kafka checks, and the build. Node built-ins only until deps exist.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const require = createRequire(join(ROOT, 'package.json'));

/** Every service, in start order; the gateway comes last. */
export const SERVICES = [
  { name: 'identity', port: 3001 },
  { name: 'ingestion', port: 3002 },
  { name: 'enrichment', port: 3003 },
  { name: 'campaigns', port: 3004 },
  { name: 'voice', port: 3005 },
  { name: 'routing', port: 3006 },
  { name: 'analytics', port: 3007 },
  { name: 'gateway', port: 3000, hasDatabase: false },
].map((s) => ({
  hasDatabase: true,
  ...s,
  envPort: `${s.name.toUpperCase()}_PORT`,
  envUrl: `${s.name.toUpperCase()}_URL`,
}));

/**
 * Node flags every service runs with (npm start, the benches, the image's CMD). V8's young
 * generation grows to 2 × 16 MB semi-spaces during start-up and keeps them, which left an idle
 * service at 130–155 MB RSS; capped at 8 MB it idles at ~105 MB (see tools/bench/README.md).
 */
export const SERVICE_NODE_ARGS = ['--max-semi-space-size=8'];

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/leadflow';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function log(message) {
  process.stdout.write(`[leadflow] ${message}\n`);
}

export function portOf(service, env = process.env) {
  return Number(env[service.envPort] ?? service.port);
}

export function hostOf(env = process.env) {
  const host = env.HTTP_HOST ?? '127.0.0.1';
  return host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** Runs a command, inheriting stdio; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Installs the pinned dependency tree from package-lock.json when node_modules is missing or
 * older than the lockfile. `npm install` rather than `npm ci`: a lockfile made on one platform
 * lacks other platforms' optional binaries (e.g. @swc/core-darwin-arm64), and `npm ci` refuses it
 * as "out of sync" (npm/cli#4828); `npm install` installs the same pinned tree and leaves it as is.
 */
export function ensureDependencies() {
  const marker = join(ROOT, 'node_modules/.leadflow-installed');
  const lockHash = createHash('sha256')
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === lockHash) return;
  log('installing dependencies (npm install from package-lock.json)');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm install failed');
  writeFileSync(marker, lockHash);
}

/** Compiles apps and libs with SWC into dist/ (decorator metadata on, path aliases rewritten). */
export function build() {
  // Built beside dist/ and swapped in with renames, so processes starting from dist/ (another
  // test run, a running platform) never see a half-written tree.
  const staging = `dist.build-${process.pid}`;
  rmSync(join(ROOT, staging), { recursive: true, force: true });
  const swc = join(ROOT, 'node_modules/.bin/swc');
  const result = spawnSync(
    swc,
    [
      'apps',
      'libs',
      'tools/bench',
      '-d',
      staging,
      '--config-file',
      '.swcrc',
      '--ignore',
      '**/*.spec.ts,**/*-spec.ts',
      '--quiet',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    rmSync(join(ROOT, staging), { recursive: true, force: true });
    throw new Error('build failed');
  }
  const retired = `dist.old-${process.pid}`;
  if (existsSync(join(ROOT, 'dist'))) renameSync(join(ROOT, 'dist'), join(ROOT, retired));
  renameSync(join(ROOT, staging), join(ROOT, 'dist'));
  rmSync(join(ROOT, retired), { recursive: true, force: true });
  log('built apps and libs into dist/');
}

/** Checks that PostgreSQL answers and creates the database; explains how to start it if not. */
export async function ensurePostgres(url) {
  const { Client } = require('pg');
  const admin = new URL(url);
  const database = decodeURIComponent(admin.pathname.slice(1)) || 'postgres';
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const where = `${admin.hostname}:${admin.port || 5432}`;
    throw new Error(
      `PostgreSQL is not reachable at ${where} (${error.message}).\n` +
        '  Start it, e.g. `pg_ctlcluster 15 main start` (Debian), `brew services start postgresql@15` (macOS)\n' +
        '  or `docker compose up -d postgres`, or set DATABASE_URL to a running server.',
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

/** `url` without its password, for messages. */
function redacted(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * Checks that Redis answers PING at `url` (REDIS_URL): the gateway and ingestion keep rate limits
 * and signature replay checks there. Explains how to start it if not.
 */
export async function ensureRedis(url) {
  const Redis = require('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause; // the socket's error (ECONNREFUSED…), more telling than "Connection is closed."
  client.on('error', (error) => (cause ??= error));
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}`);
  } catch (error) {
    throw new Error(
      `Redis is not reachable at REDIS_URL=${redacted(url)} (${(cause ?? error).message}).\n` +
        '  Start it, e.g. `systemctl start redis-server` (Debian), `brew services start redis` (macOS)\n' +
        '  or `docker compose up -d redis`, or set REDIS_URL to a running server.',
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Makes sure a Kafka broker answers: the one at KAFKA_BROKERS if that is set, else the repo's own
 * KRaft broker (tools/kafka), started if it is not running. Returns { brokers, startedHere }.
 */
export async function ensureKafka(env = process.env) {
  if (env.KAFKA_BROKERS) {
    const { Kafka, logLevel } = require('kafkajs');
    const admin = new Kafka({
      brokers: env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (error) {
      throw new Error(`Kafka is not reachable at KAFKA_BROKERS=${env.KAFKA_BROKERS} (${error.message})`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return { brokers: env.KAFKA_BROKERS, startedHere: false };
  }
  const { ensureBroker } = require('./tools/kafka/broker.js');
  const handle = await ensureBroker({ log: (line) => log(line) });
  return { brokers: handle.brokers, startedHere: !handle.reused };
}

export async function stopKafka() {
  const { stopBroker } = require('./tools/kafka/broker.js');
  await stopBroker({ log: (line) => log(line) });
}

export function ensureDir(path) {
  mkdirSync(path, { recursive: true });
  return path;
}
