import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log';
import { AuditLogRepository } from './audit-log.repository';
import { ChangeRecorder } from './change-recorder';

/**
 * Provides `AuditLog` and `ChangeRecorder` (a change's events and audit entries in one call).
 * Global: import it once in the service's AppModule (after ServicePlatformModule, which provides
 * the DataSource and the outbox) and inject them anywhere. The
 * service also adds `auditEntities` to its entities and `auditTableMigration(schema)` to its
 * migrations, and declares its own read endpoint with `AuditLog.list` if it offers one.
 */
@Global()
@Module({
  providers: [AuditLogRepository, AuditLog, ChangeRecorder],
  exports: [AuditLog, ChangeRecorder],
})
export class AuditModule {}
