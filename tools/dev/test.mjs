// `npm test`: everything CI checks, from a fresh clone. Installs dependencies if missing, then
// typecheck, lint, build, unit tests, integration tests against the real Kafka broker and
// PostgreSQL (a fresh database per suite and a fresh topic prefix per run), and the end-to-end
// smoke of the platform as `npm start` runs it. Ends with one line: `N passed, N failed`.
//
// `--only unit|integration|e2e|static [paths...]` runs one stage (paths go to Jest).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  ROOT,
  build,
  ensureDependencies,
  ensureDir,
  ensureKafka,
  ensurePostgres,
  ensureRedis,
  log,
  require,
  run,
  stopKafka,
} from './platform.mjs';

const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
const paths = onlyIndex >= 0 ? args.slice(onlyIndex + 2) : [];
const wants = (stage) => only === undefined || only === stage;

const results = [];
let passed = 0;
let failed = 0;

function record(name, ok, detail = '') {
  results.push(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

/** A check that is not a Jest test (typecheck, lint) counts as one test. */
async function check(name, command, commandArgs) {
  const started = Date.now();
  const code = await run(command, commandArgs);
  const ok = code === 0;
  if (ok) passed++;
  else failed++;
  record(name, ok, `${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok;
}

async function jest(stage, config, env) {
  const out = join(ensureDir(join(ROOT, 'tmp/test-results')), `${stage}.json`);
  const started = Date.now();
  const code = await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/jest/bin/jest.js'),
      '-c',
      config,
      '--ci',
      '--json',
      `--outputFile=${out}`,
      ...paths,
    ],
    { env },
  );
  let stagePassed = 0;
  let stageFailed = 0;
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    stagePassed = report.numPassedTests;
    stageFailed = report.numFailedTests + report.numRuntimeErrorTestSuites;
    if (report.numPendingTests > 0 || report.numTodoTests > 0) {
      stageFailed += report.numPendingTests + report.numTodoTests; // skipped tests are defects here
    }
  }
  if (code !== 0 && stageFailed === 0) stageFailed = 1; // Jest itself failed
  passed += stagePassed;
  failed += stageFailed;
  record(
    `${stage} tests`,
    code === 0,
    `${stagePassed} passed, ${stageFailed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

async function deleteRunTopics(brokers, prefix) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch (error) {
    log(`could not delete this run's topics: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The deploy checks render the k8s overlays with the real kustomize, the one built into kubectl
 * (`kubectl kustomize`, kustomize v5 from kubectl 1.27 on). When kubectl is missing, Debian's
 * `kubernetes-client` package is installed (as root with apt-get, as CI runs); a kubectl whose
 * kustomize is older than v5 (bookworm's kubernetes-client is 1.20) stops the run saying so.
 */
function ensureKubectl() {
  const kubectl = process.env.KUBECTL || 'kubectl';
  const kustomizeVersion = () => {
    const out = spawnSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    if (out.status !== 0) return undefined;
    try {
      return JSON.parse(out.stdout).kustomizeVersion ?? 'none';
    } catch {
      return 'unknown';
    }
  };
  let version = kustomizeVersion();
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (version === undefined && kubectl === 'kubectl' && asRoot && hasApt) {
    log('installing kubectl (Debian package kubernetes-client) for the deploy checks');
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'kubernetes-client'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      install();
    }
    version = kustomizeVersion();
  }
  if (version === undefined)
    throw new Error(
      `${kubectl} is needed by the deploy checks (tools/deploy-check renders k8s/ with \`kubectl kustomize\`): ` +
        'install it (Debian/Ubuntu: `apt-get install kubernetes-client`, or a kubectl release) or set KUBECTL to its path',
    );
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major < 5)
    throw new Error(
      `${kubectl} has kustomize ${version}; the k8s/ overlays need kustomize v5 (kubectl 1.27 or later): ` +
        'install a newer kubectl or set KUBECTL to one',
    );
}

async function main() {
  ensureDependencies();
  const bin = (name) => join(ROOT, 'node_modules/.bin', name);

  if (wants('static')) {
    // The module-boundary lint rule reads Nx's project graph; compute it first.
    await run(bin('nx'), ['show', 'projects'], {
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
    await check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
    await check('lint', bin('eslint'), ['--max-warnings', '0', 'apps', 'libs', 'tools']);
    await check('format', bin('prettier'), ['--check', '--log-level', 'warn', 'apps', 'libs', 'tools']);
  }
  build();
  if (wants('static')) {
    // The public contract, built from the apps just compiled, linted by Redocly CLI (any error fails).
    await check('openapi lint', process.execPath, [join(ROOT, 'tools/openapi/contract.mjs'), 'lint']);
  }
  if (wants('unit')) {
    // only when the deploy checks run (all unit tests, or a path that includes them)
    if (
      paths.length === 0 ||
      paths.some((p) => 'tools/deploy-check'.startsWith(p.replace(/\/+$/, '')) || p.includes('deploy-check'))
    )
      ensureKubectl();
    await jest('unit', 'jest.unit.config.cjs', process.env);
  }

  if (wants('integration') || wants('e2e')) {
    const runId = randomBytes(4).toString('hex');
    const env = {
      ...process.env,
      TEST_RUN_ID: runId,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
    await ensurePostgres(env.DATABASE_URL);
    env.REDIS_URL ??= DEFAULT_REDIS_URL;
    await ensureRedis(env.REDIS_URL);
    const kafka = await ensureKafka(process.env);
    env.KAFKA_BROKERS = kafka.brokers;
    try {
      if (wants('integration')) await jest('integration', 'jest.integration.config.cjs', env);
      if (wants('e2e')) await jest('e2e', 'jest.e2e.config.cjs', env);
    } finally {
      await deleteRunTopics(kafka.brokers, `t${runId}.`);
      if (kafka.startedHere) await stopKafka();
    }
  }

  process.stdout.write(`\n${results.join('\n')}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`[leadflow] ${error.stack ?? error.message}\n`);
  process.stdout.write(`${passed} passed, ${failed + 1} failed\n`);
  process.exit(1);
});
