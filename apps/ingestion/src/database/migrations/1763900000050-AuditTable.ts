import { auditTableMigration } from '@leadflow/platform/audit';

export const AuditTable1763900000050 = auditTableMigration('ingestion');
