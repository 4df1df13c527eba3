import type { AccessTokenClaims } from '@leadflow/contracts';
import { Topics } from '@leadflow/contracts';
import {
  ApiClient,
  createTestDatabase,
  dropTestDatabase,
  eventually,
  readiness,
  signUp,
  startProcess,
  testBrokers,
  testTopicPrefix,
  uniqueEmail,
  waitForTopics,
} from '@leadflow/platform/testing';
import type { Answer, CallOptions, SignedUp, StartedProcess } from '@leadflow/platform/testing';
import type { JWK } from 'jose';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Consumer } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

const MAIN = resolve(__dirname, '../../../dist/apps/identity/src/main.js');

export const ISSUER = 'leadflow-identity';
export const AUDIENCE = 'leadflow-api';

/** An event identity published, as a test consumer read it from the broker. */
export interface ConsumedEvent {
  topic: string;
  key: string;
  /** The message's value as the broker holds it. */
  raw: string;
  envelope: {
    id: string;
    type: string;
    version: number;
    source: string;
    organizationId: string;
    workspaceId?: string;
    aggregateId: string;
    correlationId: string;
    occurredAt: string;
    payload: Record<string, unknown>;
  };
}

export interface IdentityOptions {
  /** The database, topic prefix and consumer group are named after it. */
  name: string;
  port: number;
  operatorToken: string;
  /** `X-Forwarded-For` of every call that names none (identity throttles per IP). */
  forwardedFor: string;
  /** identity's topics the test reads from the beginning (default: organizations, workspaces, users). */
  topics?: string[];
  /** Extra settings of the process. */
  env?: Record<string, string>;
  /** Wait for readiness including Kafka (default true; false waits for `/readyz` 200 only). */
  waitForKafka?: boolean;
  /** E-mail domain of `register` (default `example.com`). */
  emailDomain?: string;
}

/**
 * The built identity process on a fresh database and topic prefix, with a pg client on that
 * database and a consumer collecting identity's events: what each identity spec boots once in its
 * `beforeAll`.
 */
export class IdentityUnderTest {
  readonly base: string;
  readonly client: ApiClient;
  readonly events: ConsumedEvent[] = [];
  db!: Client;
  kafka!: Kafka;
  prefix!: string;
  private url?: string;
  private run?: StartedProcess;
  private consumer?: Consumer;

  constructor(private readonly options: IdentityOptions) {
    this.base = `http://127.0.0.1:${options.port}`;
    this.client = new ApiClient(this.base, { 'X-Forwarded-For': options.forwardedFor });
  }

  get operatorToken(): string {
    return this.options.operatorToken;
  }

  async start(): Promise<void> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (node tools/dev/build.mjs)`);
    const { name, port } = this.options;
    this.url = await createTestDatabase(name);
    this.prefix = testTopicPrefix(name);
    const run = startProcess(MAIN, [], {
      env: {
        DATABASE_URL: this.url,
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC_PREFIX: this.prefix,
        IDENTITY_PORT: String(port),
        LOG_LEVEL: 'warn',
        OPERATOR_TOKEN: this.options.operatorToken,
        NODE_ENV: 'test',
        ...this.options.env,
      },
    });
    this.run = run;
    // Ready and (by default) connected to Kafka: the test subscribes to identity's topics next.
    const waitForKafka = this.options.waitForKafka ?? true;
    await eventually(
      async () =>
        waitForKafka
          ? readiness(this.base)
          : (await fetch(`${this.base}/readyz`).catch(() => undefined))?.status,
      (status) => status === 200 || run.child.exitCode !== null,
      { timeoutMs: 60_000, what: 'identity to be ready' },
    );
    if (run.child.exitCode !== null) throw new Error(`identity exited:\n${run.output()}`);
    this.db = new Client({ connectionString: this.url });
    await this.db.connect();
    this.kafka = new Kafka({
      clientId: `${name}-test`,
      brokers: testBrokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = this.kafka.consumer({ groupId: `${this.prefix}${name}-test` });
    this.consumer = consumer;
    await consumer.connect();
    const topics = this.options.topics ?? [
      Topics.identityOrganizations,
      Topics.identityWorkspaces,
      Topics.identityUsers,
    ];
    await waitForTopics(
      this.kafka,
      topics.map((t) => this.prefix + t),
    );
    await consumer.subscribe({ topics: topics.map((t) => this.prefix + t), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        this.events.push({
          topic,
          key: message.key?.toString() ?? '',
          raw: message.value?.toString() ?? '',
          envelope: JSON.parse(message.value?.toString() ?? '{}') as ConsumedEvent['envelope'],
        });
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    if (this.run?.child.exitCode === null) this.run.child.kill('SIGKILL');
    if (this.url) await dropTestDatabase(this.url);
  }

  readonly call = <T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> => this.client.call<T>(method, path, options);

  /** Signs up a new organization from `ip`; expects the 201. */
  readonly register = (name: string, ip = '198.51.100.7'): Promise<SignedUp> =>
    signUp(this.client, name, {
      email: uniqueEmail(name, this.options.emailDomain),
      headers: { 'X-Forwarded-For': ip },
    });

  /** Verifies an access token against the JWKS identity serves now. */
  readonly verify = async (token: string): Promise<AccessTokenClaims> => {
    const jwks = await this.call<{ keys: JWK[] }>('GET', '/.well-known/jwks.json');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    });
    return payload as unknown as AccessTokenClaims;
  };

  readonly count = async (table: string): Promise<number> =>
    Number((await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM identity.${table}`)).rows[0].n);
}

/**
 * The identity suites' service (core, invitations, plans): one port, so they never run at the same
 * time (integration Jest runs one file at a time), mixed-case e-mail addresses, a fixed operator token.
 */
export const identitySuite = (name: string, env?: Record<string, string>): IdentityUnderTest =>
  new IdentityUnderTest({
    name,
    port: 14_101,
    operatorToken: 'operator-token-identity-test',
    forwardedFor: '198.51.100.1',
    emailDomain: 'Example.com',
    env,
  });
