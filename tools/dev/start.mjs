// `npm start`: the whole platform on this machine. Installs dependencies if missing, makes sure
// PostgreSQL answers (creating the database), starts the repo's Kafka broker (or uses
// KAFKA_BROKERS), builds, runs every service's migrations, starts the eight services, waits until
// the gateway reports them all ready, prints the URLs, and on Ctrl-C stops everything cleanly.
// It supervises the services (policy in supervisor.mjs): one that exits unexpectedly is restarted
// with backoff while the others keep serving; one in a crash loop is given up, with its last lines.
// Each start is logged as `started <service> (pid N)`.
//
// Flags: --skip-install, --skip-build, --quiet (service logs only to tmp/logs/<service>.log).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  ROOT,
  SERVICES,
  SERVICE_NODE_ARGS,
  build,
  ensureDependencies,
  ensureDir,
  ensureKafka,
  ensurePostgres,
  ensureRedis,
  hostOf,
  log,
  portOf,
  run,
  stopKafka,
} from './platform.mjs';
import { LineTail, RESTART_POLICY, RestartPolicy } from './supervisor.mjs';

const flags = new Set(process.argv.slice(2));
const children = new Map();
/** Per service: its restart policy, log file, output tail, and pending restart timer. */
const supervised = new Map();
const givenUp = new Set();
let kafkaStartedHere = false;
let stopping = false;

async function main() {
  if (!flags.has('--skip-install')) ensureDependencies();
  const env = { ...process.env };
  env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
  await ensurePostgres(env.DATABASE_URL);
  env.REDIS_URL ??= DEFAULT_REDIS_URL;
  await ensureRedis(env.REDIS_URL);
  const kafka = await ensureKafka(env);
  kafkaStartedHere = kafka.startedHere;
  env.KAFKA_BROKERS = kafka.brokers;
  if (!flags.has('--skip-build')) build();

  const host = hostOf(env);
  for (const service of SERVICES) {
    env[service.envPort] = String(portOf(service, env));
    env[service.envUrl] ??= `http://${host}:${portOf(service, env)}`;
  }
  env.IDENTITY_JWKS_URL ??= `${env.IDENTITY_URL}/.well-known/jwks.json`;
  if (!env.OPERATOR_TOKEN) {
    env.OPERATOR_TOKEN = randomBytes(24).toString('base64url');
    log(`operator token for this run (DLQ admin): OPERATOR_TOKEN=${env.OPERATOR_TOKEN}`);
  }

  log('running migrations');
  const migrations = await Promise.all(
    SERVICES.filter((s) => s.hasDatabase).map((s) =>
      run(process.execPath, [join('dist/apps', s.name, 'src/main.js'), 'migrate'], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    ),
  );
  if (migrations.some((code) => code !== 0)) throw new Error('a migration failed (see above)');

  const logDir = ensureDir(join(ROOT, 'tmp/logs'));
  for (const service of SERVICES) startService(service, env, logDir);

  const gateway = `http://${host}:${portOf(SERVICES.at(-1), env)}`;
  await waitUntilReady(`${gateway}/readyz`, env.OPERATOR_TOKEN, 180_000);
  if (stopping) return;
  log('all services are ready');
  for (const service of SERVICES) log(`  ${service.name.padEnd(11)} http://${host}:${portOf(service, env)}`);
  log(`gateway: ${gateway}   API docs: ${gateway}/docs   logs: tmp/logs/`);
  log('press Ctrl-C to stop');
}

function startService(service, env, logDir) {
  let state = supervised.get(service.name);
  if (!state) {
    state = {
      policy: new RestartPolicy(),
      file: createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' }),
      tail: new LineTail(RESTART_POLICY.tailLines),
      timer: undefined,
    };
    supervised.set(service.name, state);
  }
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_ARGS, join('dist/apps', service.name, 'src/main.js')],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  state.policy.started(Date.now());
  const onData = (chunk) => {
    state.file.write(chunk);
    for (const line of state.tail.push(chunk.toString())) {
      if (!flags.has('--quiet')) process.stdout.write(`[${service.name}] ${line}\n`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code, signal) => {
    if (children.get(service.name) === child) children.delete(service.name);
    if (stopping) return;
    const how = signal ?? `code ${code}`;
    const decision = state.policy.exited(Date.now());
    if (decision.action === 'restart') {
      log(`${service.name} exited unexpectedly (${how}); restarting it in ${decision.delayMs / 1000} s`);
      state.timer = setTimeout(() => {
        state.timer = undefined;
        if (!stopping) startService(service, env, logDir);
      }, decision.delayMs);
      return;
    }
    givenUp.add(service.name);
    log(
      `${service.name} exited ${decision.exits} times within ${RESTART_POLICY.crashWindowMs / 1000} s ` +
        `(last: ${how}); giving up on it, the other services keep running. Its last lines:\n${state.tail.text()}`,
    );
  });
  children.set(service.name, child);
  log(`started ${service.name} (pid ${child.pid})`);
}

async function waitUntilReady(url, operatorToken, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (stopping) return;
    // A service given up before the platform was ever ready: a broken build or setting, not a blip.
    if (givenUp.size > 0)
      throw new Error(`the platform could not start: ${[...givenUp].join(', ')} kept exiting`);
    try {
      const res = await fetch(url, {
        headers: { 'x-operator-token': operatorToken },
        signal: AbortSignal.timeout(5000),
      });
      const body = await res.text();
      // The gateway is ready as soon as it routes; the platform, when every service is ready and
      // has reached Kafka (a service's readiness does not wait for the broker: its `kafka` detail,
      // which the operator token shows through the gateway, says whether it is connected).
      const down = res.ok
        ? Object.entries(JSON.parse(body).services ?? {}).filter(
            ([, s]) => s.status !== 'up' || (s.details?.details?.kafka ?? { status: 'up' }).status !== 'up',
          )
        : [];
      if (res.ok && down.length === 0) return;
      last = res.ok
        ? `not ready yet: ${down.map(([name]) => name).join(', ')}`
        : `${res.status} ${body.slice(0, 500)}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the platform was not ready within ${timeoutMs / 1000} s: ${last}`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping services');
  for (const state of supervised.values()) clearTimeout(state.timer);
  const exits = [...children.values()].map(
    (child) =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  await Promise.all([...supervised.values()].map((state) => new Promise((done) => state.file.end(done))));
  if (kafkaStartedHere) await stopKafka().catch((error) => log(`stopping Kafka failed: ${error.message}`));
  log('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (error) => {
  process.stderr.write(`[leadflow] ${error.message}\n`);
  await shutdown(1);
});
