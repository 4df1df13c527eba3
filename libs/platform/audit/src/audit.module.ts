import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log';
import { AuditLogRepository } from './audit-log.repository';

/**
 * Provides `AuditLog`. Global: import it once in the service's AppModule (after
 * ServicePlatformModule, which provides the DataSource) and inject `AuditLog` anywhere. The
 * service also adds `auditEntities` to its entities and `auditTableMigration(schema)` to its
 * migrations, and declares its own read endpoint with `AuditLog.list` if it offers one.
 */
@Global()
@Module({
  providers: [AuditLogRepository, AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
