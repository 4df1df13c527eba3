import {
  ApiClient,
  createTestDatabase,
  dropTestDatabase,
  eventually,
  readiness,
  signUp,
  startProcess,
  testBrokers,
  testRedisUrl,
  testTopicPrefix,
  waitForTopics,
} from '@leadflow/platform/testing';
import type { Answer, CallOptions, SignedUp, StartedProcess } from '@leadflow/platform/testing';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Consumer } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

const DIST = resolve(__dirname, '../../../dist/apps');

/** The Redis the stack and the tests use: `REDIS_URL` (libs/platform/testing). */
export { testRedisUrl };
const mainOf = (service: string): string => join(DIST, service, 'src/main.js');

export type { Answer };
/** A signed-up organization's owner (tokens, user, organization, first workspace). */
export type Registered = SignedUp;

export interface ConsumedEvent {
  topic: string;
  key: string;
  envelope: {
    id: string;
    type: string;
    organizationId: string;
    workspaceId?: string;
    aggregateId: string;
    correlationId: string;
    payload: Record<string, unknown>;
  };
}

export interface StackOptions {
  /** First port; identity, gateway and each ingestion instance take the next ones. */
  basePort: number;
  /** Ingestion instances (each behind its own port; the gateway talks to the first). */
  ingestionInstances?: number;
  /** Extra settings for every ingestion instance. */
  ingestionEnv?: Record<string, string>;
  /** The Kafka broker(s) of the stack and of `consume()` (default: the run's broker). */
  brokers?: string;
}

/**
 * identity + ingestion (one or more instances) + gateway as built processes on one fresh database,
 * a fresh topic prefix on the real broker and a fresh Redis key prefix — what intake tests drive
 * "through the gateway" as vendors and frontends would.
 */
export class IntakeStack {
  /** identity's OPERATOR_TOKEN in the stack (plans are set by the operator, on identity's port). */
  static readonly operatorToken = 'operator-token-intake-stack';
  readonly gateway: string;
  readonly identity: string;
  readonly ingestion: string[] = [];
  /** A JSON client of the gateway (`base` per call for the services' own ports). */
  readonly client: ApiClient;

  /** The metrics listener of a service started from its base URL (METRICS_PORT unset: its port + 1000). */
  metricsOf(base: string): string {
    const url = new URL(base);
    return `http://${url.hostname}:${Number(url.port) + 1000}`;
  }
  readonly prefix: string;
  readonly redisPrefix: string;
  db!: Client;
  databaseUrl!: string;
  importDir!: string;
  private readonly processes = new Map<string, StartedProcess>();
  private readonly consumers: Consumer[] = [];
  private readonly env: Record<string, Record<string, string>> = {};

  constructor(
    private readonly name: string,
    private readonly options: StackOptions,
  ) {
    this.gateway = `http://127.0.0.1:${options.basePort}`;
    this.client = new ApiClient(this.gateway);
    this.identity = `http://127.0.0.1:${options.basePort + 1}`;
    for (let i = 0; i < (options.ingestionInstances ?? 1); i++) {
      this.ingestion.push(`http://127.0.0.1:${options.basePort + 2 + i}`);
    }
    this.prefix = testTopicPrefix(name);
    this.redisPrefix = `${this.prefix}`;
  }

  async start(): Promise<void> {
    for (const service of ['identity', 'ingestion', 'gateway']) {
      if (!existsSync(mainOf(service))) throw new Error(`${mainOf(service)} is missing: build first`);
    }
    this.databaseUrl = await createTestDatabase(this.name);
    this.importDir = mkdtempSync(join(tmpdir(), `lf-imports-${this.name}-`));
    const identityUrl = this.identity;
    const common = {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: testRedisUrl(),
      KAFKA_BROKERS: this.brokers,
      KAFKA_TOPIC_PREFIX: this.prefix,
      IDENTITY_JWKS_URL: `${identityUrl}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    this.env.identity = {
      ...common,
      IDENTITY_PORT: String(this.options.basePort + 1),
      OPERATOR_TOKEN: IntakeStack.operatorToken,
    };
    this.ingestion.forEach((url, i) => {
      this.env[`ingestion-${i}`] = {
        ...common,
        INGESTION_PORT: new URL(url).port,
        REDIS_KEY_PREFIX: this.redisPrefix,
        PUBLIC_BASE_URL: this.gateway,
        IMPORT_DIR: this.importDir,
        ...this.options.ingestionEnv,
      };
    });
    this.env.gateway = {
      ...common,
      GATEWAY_PORT: String(this.options.basePort),
      IDENTITY_URL: identityUrl,
      INGESTION_URL: this.ingestion[0],
      RATE_LIMIT_KEY_PREFIX: this.redisPrefix,
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    };
    // identity first: it creates the signing key the others read.
    await this.startProcess('identity');
    await Promise.all(this.ingestion.map((_, i) => this.startProcess(`ingestion-${i}`)));
    await this.startProcess('gateway');
    this.db = new Client({ connectionString: this.databaseUrl });
    await this.db.connect();
  }

  get brokers(): string {
    return this.options.brokers ?? testBrokers();
  }

  /**
   * Starts (or restarts) one process and waits until it is ready (`/readyz` 200) and, unless
   * `kafka` is false, until it reached the broker (`/readyz`'s `kafka` detail: readiness itself
   * does not wait for Kafka).
   */
  async startProcess(name: string, { kafka = true }: { kafka?: boolean } = {}): Promise<StartedProcess> {
    const service = name.split('-')[0];
    const env = this.env[name];
    const port = env[`${service.toUpperCase()}_PORT`];
    const run = startProcess(mainOf(service), [], { env });
    this.processes.set(name, run);
    // The gateway's /readyz asks every service, and this stack runs only three of them.
    const probe = service === 'gateway' ? 'healthz' : 'readyz';
    const base = `http://127.0.0.1:${port}`;
    const waitForKafka = kafka && probe === 'readyz';
    await eventually(
      async () =>
        probe === 'readyz'
          ? readiness(base, { kafka })
          : (await fetch(`${base}/${probe}`).catch(() => undefined))?.status,
      (status) => status === 200 || run.child.exitCode !== null,
      { timeoutMs: 90_000, what: `${name} to be ready${waitForKafka ? ' and connected to Kafka' : ''}` },
    );
    if (run.child.exitCode !== null) throw new Error(`${name} exited:\n${run.output()}`);
    return run;
  }

  process(name: string): StartedProcess {
    const run = this.processes.get(name);
    if (!run) throw new Error(`no process ${name}`);
    return run;
  }

  /** Collects every event published on the given logical topics (from the beginning). */
  async consume(topics: string[]): Promise<ConsumedEvent[]> {
    const events: ConsumedEvent[] = [];
    const kafka = new Kafka({
      clientId: `${this.name}-test`,
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `${this.prefix}test-${this.consumers.length}` });
    this.consumers.push(consumer);
    await waitForTopics(
      kafka,
      topics.map((t) => this.prefix + t),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => this.prefix + t), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        events.push({
          topic: topic.slice(this.prefix.length),
          key: message.key?.toString() ?? '',
          envelope: JSON.parse(message.value?.toString() ?? '{}') as ConsumedEvent['envelope'],
        });
      },
    });
    return events;
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
    for (const run of this.processes.values()) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }
    await this.db?.end().catch(() => undefined);
    if (this.databaseUrl) await dropTestDatabase(this.databaseUrl);
    if (this.importDir) rmSync(this.importDir, { recursive: true, force: true });
  }

  /** One JSON call through the gateway (or to `base`). */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> {
    return this.client.call<T>(method, path, options);
  }

  /** Signs up a new organization (owner, first workspace) through the gateway. */
  register(name: string): Promise<Registered> {
    return signUp(this.client, name);
  }

  /**
   * Moves the organization to the enterprise plan (no monthly lead quota; the free plan takes 500)
   * as the operator does (identity's port, X-Operator-Token; the gateway does not route it), and
   * waits until ingestion's copy of the organization knows it.
   */
  async unlimitedPlan(owner: Registered): Promise<void> {
    const res = await this.call('PUT', `/api/v1/organization-plans/${owner.organization.id}`, {
      base: this.identity,
      body: { plan: 'enterprise' },
      headers: { 'X-Operator-Token': IntakeStack.operatorToken },
    });
    if (res.status !== 200) throw new Error(`plan change: ${res.status} ${res.text}`);
    await eventually(
      () =>
        this.count(
          `SELECT count(*) AS n FROM ingestion.organizations WHERE id = $1 AND plan = 'enterprise'`,
          [owner.organization.id],
        ),
      (n) => n === 1,
      { what: 'the plan change to reach ingestion' },
    );
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  }
}
