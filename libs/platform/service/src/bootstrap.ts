import type { BaseServiceEnv, DatabaseEnv } from '@leadflow/platform/config';
import { ConfigError, loadConfig } from '@leadflow/platform/config';
import { bodyParserErrorMiddleware } from '@leadflow/platform/errors';
import { MetricsService, requestContextMiddleware } from '@leadflow/platform/observability';
import { EventTransport } from '@leadflow/platform/messaging';
import { DatabaseUnavailableError, openServiceDataSource } from '@leadflow/platform/persistence';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Server } from 'node:http';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { buildServiceDocument } from './openapi';
import { securityHeadersMiddleware } from './security-headers';
import type { ServiceDefinition } from './service-definition';

/** The service's OpenAPI document is served at this path (the gateway collects them at /docs). */
export const OPENAPI_JSON_PATH = '/openapi.json';

function fail(service: string, error: unknown): never {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service, msg: `${service} could not start: ${(error as Error).message}` })}\n`,
  );
  if (!known) process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}

/** Runs the service's migrations and exits (`node main.js migrate`). */
async function migrateOnly<E extends BaseServiceEnv>(definition: ServiceDefinition<E>): Promise<void> {
  if (!definition.database) {
    process.stdout.write(`${definition.name} has no database\n`);
    return;
  }
  const env = loadConfig(definition.env) as unknown as DatabaseEnv;
  const ds = await openServiceDataSource({
    url: env.DATABASE_URL,
    schema: definition.database.schema,
    migrations: definition.database.migrations,
  });
  process.stdout.write(`${definition.name}: schema ${definition.database.schema} is migrated\n`);
  await ds.destroy();
}

export type ModuleFactory<E> = (env: E) => DynamicModule;

/**
 * Peers whose X-Forwarded-* headers are believed (Express's `trust proxy`): the loopback and
 * private addresses an ingress or load balancer in front of a service has.
 */
export const TRUSTED_PROXIES: string[] = ['loopback', 'uniquelocal'];

function configureApp(
  app: NestExpressApplication,
  definition: ServiceDefinition<never>,
  env: BaseServiceEnv,
): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', TRUSTED_PROXIES);
  app.use(securityHeadersMiddleware);
  app.use(requestContextMiddleware(app.get(MetricsService)));
  for (const raw of definition.rawBodies ?? []) {
    // Sets req._body, so the parsers below leave these requests alone.
    app.use(raw.path, express.raw({ type: () => true, limit: raw.limit }), bodyParserErrorMiddleware);
  }
  if (definition.bodyLimit !== false) {
    const limit = definition.bodyLimit ?? '1mb';
    app.useBodyParser('json', { limit, type: ['application/json', 'application/*+json'] });
    app.useBodyParser('urlencoded', { limit, extended: true });
    app.use(bodyParserErrorMiddleware);
  }
  definition.beforeRoutes?.(app);
  const document = documentOf(app, definition, env);
  if (definition.docs) definition.docs(app, document);
  else
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
      raw: ['json'],
    });
}

function documentOf(
  app: INestApplication,
  definition: Pick<ServiceDefinition<never>, 'title' | 'description' | 'responses'>,
  env: BaseServiceEnv,
): OpenAPIObject {
  return buildServiceDocument(app, {
    title: definition.title,
    description: definition.description,
    responses: definition.responses,
    publicBaseUrl: (env as BaseServiceEnv & { PUBLIC_BASE_URL?: string }).PUBLIC_BASE_URL,
  });
}

/**
 * The service's OpenAPI document as it serves it, built without starting anything (Nest's
 * preview mode: no provider is instantiated, no connection opened): the contract lint and the
 * client generation read the documents this way.
 */
export async function createServiceDocument<E extends BaseServiceEnv>(
  definition: ServiceDefinition<E>,
  moduleFactory: ModuleFactory<E>,
  env: E,
): Promise<OpenAPIObject> {
  const app = await NestFactory.create(moduleFactory(env), { preview: true, logger: false });
  try {
    return documentOf(app, definition as unknown as ServiceDefinition<never>, env);
  } finally {
    await app.close();
  }
}

/** Builds a service's app from settings already loaded (tests use it to run a service in-process). */
export async function createServiceApp<E extends BaseServiceEnv>(
  definition: ServiceDefinition<E>,
  moduleFactory: ModuleFactory<E>,
  env: E,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(moduleFactory(env), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, definition as unknown as ServiceDefinition<never>, env);
  if (definition.messaging) {
    // Consumers are @EventPattern handlers served by the platform's Kafka transport. Started here,
    // before the app initializes, so that every handler is registered when messaging connects.
    app.connectMicroservice({ strategy: app.get(EventTransport) });
    await app.startAllMicroservices();
  }
  return app;
}

/**
 * Starts a service: loads and validates its settings (a bad one stops start-up with a message
 * naming it), builds the Nest app (its modules create/migrate the schema and start messaging),
 * listens, and on SIGTERM/SIGINT stops taking requests, finishes in-flight ones, stops
 * consuming, flushes the outbox and closes pools — or exits anyway after the timeout.
 * `node main.js migrate` only runs the migrations.
 */
export async function bootstrapService<E extends BaseServiceEnv>(
  definition: ServiceDefinition<E>,
  moduleFactory: ModuleFactory<E>,
): Promise<INestApplication | undefined> {
  let env: E;
  let app: NestExpressApplication;
  try {
    env = loadConfig(definition.env);
    if (process.argv[2] === 'migrate') {
      await migrateOnly(definition);
      return undefined;
    }
    if (env.METRICS_PORT === 0) env.METRICS_PORT = definition.port(env) + 1000;
    app = await createServiceApp(definition, moduleFactory, env);
    await app.listen(definition.port(env), env.HTTP_HOST);
  } catch (error) {
    fail(definition.name, error);
  }
  const logger = app.get(Logger);
  logger.log(`${definition.name} listening on http://${env.HTTP_HOST}:${definition.port(env)}`);
  installShutdown(app, env.SHUTDOWN_TIMEOUT_MS, logger);
  return app;
}

export function installShutdown(app: INestApplication, timeoutMs: number, logger: Logger): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    const server = app.getHttpServer() as Server;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const inFlightBudget = setTimeout(() => server.closeAllConnections(), Math.floor(timeoutMs / 3));
    drained
      .then(() => {
        clearTimeout(inFlightBudget);
        logger.log('HTTP server closed; stopping consumers, flushing the outbox, closing pools');
      })
      .then(() => app.close())
      .then(() => {
        logger.log('shutdown complete');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
