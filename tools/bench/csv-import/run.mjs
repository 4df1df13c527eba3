// `node tools/bench/csv-import/run.mjs [--rows N --base-port N --profile true]`: builds, makes sure a
// Kafka broker runs (KAFKA_BROKERS if set, else the repo's own KRaft broker), then runs the bench
// from dist/ and exits with its code. Options are passed through; see tools/bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(join(ROOT, 'package.json'));

function log(line) {
  process.stdout.write(`[bench:csv] ${line}\n`);
}

// tools/dev/build.mjs installs dependencies first when node_modules is missing or stale.
const built = spawnSync(process.execPath, [join(ROOT, 'tools/dev/build.mjs')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

let brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  const { ensureBroker } = require('./tools/kafka/broker.js');
  ({ brokers } = await ensureBroker({ log }));
}

const bench = spawn(
  process.execPath,
  [join(ROOT, 'dist/tools/bench/csv-import/csv-import.bench.js'), ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, KAFKA_BROKERS: brokers },
  },
);
// Ctrl-C reaches the bench too (same process group); it cleans up and exits on its own.
process.on('SIGINT', () => undefined);
bench.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
