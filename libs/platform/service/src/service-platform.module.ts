import { BaseServiceEnv, ConfigModule, DatabaseEnv, MessagingServiceEnv } from '@leadflow/platform/config';
import { ProblemDetailsFilter, createValidationPipe } from '@leadflow/platform/errors';
import { MessagingModule } from '@leadflow/platform/messaging';
import { ObservabilityModule } from '@leadflow/platform/observability';
import { openServiceDataSource } from '@leadflow/platform/persistence';
import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LivenessController, ReadinessController, SERVICE_NAME } from './health.controller';
import type { ServiceDefinition } from './service-definition';
import { AuthModule } from '@leadflow/platform/auth';

/**
 * Everything every service has, in one import: validated settings, JSON logs and metrics,
 * problem+json errors and request validation, health endpoints, and — when the definition says
 * so — its PostgreSQL schema (created and migrated at start) and its Kafka messaging.
 */
@Module({})
export class ServicePlatformModule {
  /** `env` is loaded by the caller (bootstrapService), so a bad setting fails before Nest starts. */
  static forRoot<E extends BaseServiceEnv>(definition: ServiceDefinition<E>, env: E): DynamicModule {
    const customReadiness = definition.readiness === 'custom';
    const imports: NonNullable<ModuleMetadata['imports']> = [
      ConfigModule.register(env, [
        definition.env,
        ...[BaseServiceEnv, DatabaseEnv, MessagingServiceEnv].filter((base) => env instanceof base),
      ]),
      ObservabilityModule.forRoot({
        service: definition.name,
        level: env.LOG_LEVEL,
        // 0 here: an app built in-process (tests) gets an ephemeral metrics port; bootstrapService
        // turns the default 0 into the service's port + 1000 first.
        metrics: { host: env.HTTP_HOST, port: env.METRICS_PORT },
      }),
      ...(customReadiness ? [] : [TerminusModule.forRoot({ logger: false })]),
      AuthModule.forRoot(definition.auth ?? {}),
    ];
    const database = definition.database;
    if (database) {
      const { DATABASE_URL, DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_LOCK_TIMEOUT_MS } =
        env as unknown as DatabaseEnv;
      imports.push(
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres' as const }),
          dataSourceFactory: () =>
            openServiceDataSource({
              url: DATABASE_URL,
              schema: database.schema,
              migrations: database.migrations,
              entities: database.entities ?? [],
              poolSize: DATABASE_POOL_SIZE,
              applicationName: definition.name,
              statementTimeoutMs: DATABASE_STATEMENT_TIMEOUT_MS,
              lockTimeoutMs: DATABASE_LOCK_TIMEOUT_MS,
            }),
        }),
      );
    }
    if (definition.messaging) {
      if (!database) throw new Error(`${definition.name}: messaging needs a database (outbox and inbox)`);
      imports.push(
        MessagingModule.forRoot({
          service: definition.name,
          schema: database.schema,
          publishes: definition.messaging.publishes,
          consumes: definition.messaging.consumes,
        }),
      );
    }
    return {
      module: ServicePlatformModule,
      global: true,
      imports,
      controllers: customReadiness ? [LivenessController] : [LivenessController, ReadinessController],
      providers: [
        { provide: SERVICE_NAME, useValue: definition.name },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [SERVICE_NAME],
    };
  }
}
