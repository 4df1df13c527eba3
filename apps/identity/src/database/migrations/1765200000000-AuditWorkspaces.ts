import { auditWorkspacesMigration } from '@leadflow/platform/audit';

export const AuditWorkspaces1765200000000 = auditWorkspacesMigration('identity');
