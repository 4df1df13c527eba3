import { auditEntities } from '@leadflow/platform/audit';
import { ContactEntity } from '../contacts/contact.entity';
import { OrganizationCopyEntity, UserCopyEntity, WorkspaceCopyEntity } from '../directory/directory.entities';
import { ImportEntity, ImportRejectionEntity } from '../imports/import.entity';
import { IntakeRequestEntity } from '../intake/intake-request.entity';
import { LeadActivityEntity, LeadNoteEntity, LeadStatusChangeEntity } from '../leads/lead-history.entities';
import { LeadEntity } from '../leads/lead.entity';
import { PipelineStageEntity } from '../pipeline-stages/pipeline-stage.entity';
import { ProviderEntity } from '../providers/provider.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';
import { AuditTable1763900000050 } from './migrations/1763900000050-AuditTable';
import { IngestionTables1763900000100 } from './migrations/1763900000100-IngestionTables';
import { ContactSearchIndexes1763900000300 } from './migrations/1763900000300-ContactSearchIndexes';
import { ImportResume1763900000400 } from './migrations/1763900000400-ImportResume';
import { IdempotencyPerSourceAndImportErrorCode1765000000200 } from './migrations/1765000000200-IdempotencyPerSourceAndImportErrorCode';
import { UserCopies1765000000400 } from './migrations/1765000000400-UserCopies';
import { ProviderWorkspaces1765100000100 } from './migrations/1765100000100-ProviderWorkspaces';
import { IntakeRequestRetention1765100000200 } from './migrations/1765100000200-IntakeRequestRetention';
import { AuditWorkspaces1765200000000 } from './migrations/1765200000000-AuditWorkspaces';

/** The ingestion service's schema and its migrations, in order. */
export const ingestionDatabase = {
  schema: 'ingestion',
  migrations: [
    MessagingTables1763900000000,
    AuditTable1763900000050,
    IngestionTables1763900000100,
    ContactSearchIndexes1763900000300,
    ImportResume1763900000400,
    IdempotencyPerSourceAndImportErrorCode1765000000200,
    UserCopies1765000000400,
    ProviderWorkspaces1765100000100,
    IntakeRequestRetention1765100000200,
    AuditWorkspaces1765200000000,
  ],
  entities: [
    ...auditEntities,
    OrganizationCopyEntity,
    WorkspaceCopyEntity,
    UserCopyEntity,
    WebhookEntity,
    ProviderEntity,
    IntakeRequestEntity,
    ContactEntity,
    LeadEntity,
    LeadStatusChangeEntity,
    LeadActivityEntity,
    LeadNoteEntity,
    PipelineStageEntity,
    ImportEntity,
    ImportRejectionEntity,
  ],
};
