import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { IdentityAuditModule } from './audit/audit.module';
import { IdentityAuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import type { IdentityEnv } from './config/env.schema';
import { InvitationsModule } from './invitations/invitations.module';
import { MembersModule } from './members/members.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { identityService } from './service';
import { PasswordsModule } from './passwords/passwords.module';
import { PlansModule } from './plans/plans.module';
import { SigningKeysModule } from './signing-keys/signing-keys.module';
import { UsageModule } from './usage/usage.module';
import { UsersModule } from './users/users.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Module({})
export class AppModule {
  static forRoot(env: IdentityEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forRoot(identityService, env),
        CommonModule,
        IdentityAuditModule,
        SigningKeysModule,
        OrganizationsModule,
        UsersModule,
        WorkspacesModule,
        IdentityAuthModule,
        ApiKeysModule,
        MembersModule,
        InvitationsModule,
        PasswordsModule,
        UsageModule,
        PlansModule,
      ],
    };
  }
}
