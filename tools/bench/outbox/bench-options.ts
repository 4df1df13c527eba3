import { loadConfig } from '@leadflow/platform/config';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Where the bench runs; `npm run bench:outbox` sets KAFKA_BROKERS to the broker it ensured. */
export class BenchEnv {
  /** The PostgreSQL server; the bench creates (and drops) its own `lf_bench_<random>` database on it. */
  @Matches(/^postgres(ql)?:\/\//)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/leadflow';

  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';
}

/** Command-line options (`--messages 50000 --latency-rate 2000 ...`). */
export class BenchOptions {
  /** Messages per throughput run, for each side. */
  @IsInt()
  @Min(1)
  messages = 50_000;

  /** Messages per `sendBatch` for the baseline and the relay's batchSize. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  batch = 500;

  /** Rounds of (baseline, relay), alternating which goes first; medians are reported. */
  @IsInt()
  @Min(1)
  @Max(50)
  rounds = 3;

  /** Distinct aggregate ids, i.e. message keys. */
  @IsInt()
  @Min(1)
  aggregates = 1000;

  /** Events per outbox transaction when pre-committing the throughput backlog. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  preloadTransaction = 500;

  /** Duration of the latency phase, in seconds. */
  @IsInt()
  @Min(1)
  latencySeconds = 10;

  /**
   * Target total commit rate of the latency phase (single-event transactions per second). 500/s is
   * what 4 writers sustain on a 2-core machine with the relay in the same process; see the README.
   */
  @IsInt()
  @Min(1)
  latencyRate = 500;

  @IsInt()
  @Min(1)
  @Max(64)
  latencyWriters = 4;

  /** Relay poll interval (it is woken by NOTIFY first); the platform default. */
  @IsInt()
  @Min(1)
  pollIntervalMs = 1000;
}

const USAGE =
  'usage: outbox.bench.js [--messages N] [--batch N] [--rounds N] [--aggregates N] [--preload-transaction N]\n' +
  '                       [--latency-seconds N] [--latency-rate N] [--latency-writers N] [--poll-interval-ms N]';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

/** Parses `--kebab-name value` pairs into BenchOptions; unknown or malformed options throw UsageError. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const known = new Set(Object.keys(new BenchOptions()));
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=', 2);
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const name = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!known.has(name)) throw new UsageError(`unknown option ${flag}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option ${flag} needs a value`);
    raw[name] = value;
  }
  try {
    return loadConfig(BenchOptions, raw);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function loadBenchEnv(): BenchEnv {
  return loadConfig(BenchEnv);
}
