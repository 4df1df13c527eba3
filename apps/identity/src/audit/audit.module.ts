import { AuditModule } from '@leadflow/platform/audit';
import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/**
 * identity's audit log: the shared AuditLog (global, so every feature records its actions in its
 * own transaction) and the admins' read endpoint. Action names: ./audit-actions.
 */
@Module({
  imports: [AuditModule],
  controllers: [AuditController],
})
export class IdentityAuditModule {}
