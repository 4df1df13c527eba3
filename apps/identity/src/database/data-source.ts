import { auditEntities } from '@leadflow/platform/audit';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { LoginAttemptEntity } from '../auth/login-attempt.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { SessionEntity } from '../auth/session.entity';
import { InvitationEntity } from '../invitations/invitation.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { PasswordResetEntity } from '../passwords/password-reset.entity';
import { PlanRequestEntity } from '../plans/plan-request.entity';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity';
import { OrganizationUsageEntity } from '../usage/organization-usage.entity';
import { MembershipEntity } from '../users/membership.entity';
import { UserEntity } from '../users/user.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';
import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';
import { IdentityTables1763900000100 } from './migrations/1763900000100-IdentityTables';
import { InvitationsAndPasswordResets1763900000200 } from './migrations/1763900000200-InvitationsAndPasswordResets';
import { OrganizationUsage1763900000300 } from './migrations/1763900000300-OrganizationUsage';
import { AuditWorkspaces1765200000000 } from './migrations/1765200000000-AuditWorkspaces';
import { PlanRequests1765300000000 } from './migrations/1765300000000-PlanRequests';

/** The identity service's schema and its migrations, in order. */
export const identityDatabase = {
  schema: 'identity',
  migrations: [
    MessagingTables1763900000000,
    IdentityTables1763900000100,
    InvitationsAndPasswordResets1763900000200,
    OrganizationUsage1763900000300,
    AuditWorkspaces1765200000000,
    PlanRequests1765300000000,
  ],
  entities: [
    OrganizationEntity,
    WorkspaceEntity,
    UserEntity,
    MembershipEntity,
    SigningKeyEntity,
    SessionEntity,
    RefreshTokenEntity,
    LoginAttemptEntity,
    ApiKeyEntity,
    ...auditEntities,
    InvitationEntity,
    PasswordResetEntity,
    OrganizationUsageEntity,
    PlanRequestEntity,
  ],
};
