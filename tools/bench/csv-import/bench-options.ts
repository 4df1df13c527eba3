import { loadConfig } from '@leadflow/platform/config';
import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Where the bench runs; `run.mjs` sets KAFKA_BROKERS to the broker it ensured. */
export class BenchEnv {
  /** The PostgreSQL server; the bench creates (and drops) its own `lf_bench_<random>` database on it. */
  @Matches(/^postgres(ql)?:\/\//)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/leadflow';

  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^rediss?:\/\//)
  REDIS_URL = 'redis://127.0.0.1:6379';
}

/** Command-line options (`--rows 200000 --base-port 14900 ...`). */
export class BenchOptions {
  /** Data rows in the generated CSV. */
  @IsInt()
  @Min(1000)
  @Max(10_000_000)
  rows = 1_000_000;

  /** identity listens here, ingestion on the next port. */
  @IsInt()
  @Min(1024)
  @Max(65000)
  basePort = 14900;

  /**
   * `false`: the bench holds the outbox relay's lease itself, so the service publishes nothing
   * while it imports (the import alone, without Kafka publishing sharing its CPU).
   */
  @IsBoolean()
  relay = true;

  /** Keep the bench database (for EXPLAIN and inspection); it is printed, drop it yourself. */
  @IsBoolean()
  keepDatabase = false;

  /**
   * Node.js flags of the ingestion process: by default the heap bound ingestion is deployed with
   * (NODE_OPTIONS in docker-compose.yml and k8s/base/apps/ingestion.yaml); `''` runs V8's defaults.
   */
  @IsString()
  ingestionNodeArgs = '--max-old-space-size=256';

  /** Write a CPU profile of the ingestion process (`--cpu-prof`) to tmp/bench-csv-import/. */
  @IsBoolean()
  profile = false;
}

const USAGE =
  'usage: csv-import.bench.js [--rows N] [--base-port N] [--relay false] [--profile true]\n' +
  '                           [--keep-database true] [--ingestion-node-args "<node flags>"]';

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
