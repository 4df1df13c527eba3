import { openServiceDataSource } from '@leadflow/platform/persistence';
import type { DynamicModule, Type } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MigrationInterface } from 'typeorm';
import { AuditModule, auditEntities, auditTableMigration, auditWorkspacesMigration } from '../src';

/**
 * AuditModule as a service boots it: its DataSource over `schema` in the database at `url`, the
 * audit migrations after `migrations` (e.g. the messaging tables), and `imports` beside it.
 */
export function compileAuditModule(
  url: string,
  schema: string,
  extra: { migrations?: (new () => MigrationInterface)[]; imports?: (Type | DynamicModule)[] } = {},
): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      TypeOrmModule.forRootAsync({
        useFactory: () => ({ type: 'postgres' as const }),
        dataSourceFactory: () =>
          openServiceDataSource({
            url,
            schema,
            migrations: [
              ...(extra.migrations ?? []),
              auditTableMigration(schema),
              auditWorkspacesMigration(schema),
            ],
            entities: auditEntities,
          }),
      }),
      ...(extra.imports ?? []),
      AuditModule,
    ],
  }).compile();
}
