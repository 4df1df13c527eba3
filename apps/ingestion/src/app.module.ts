import { AuditModule } from '@leadflow/platform/audit';
import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import { ContactsModule } from './contacts/contacts.module';
import type { IngestionEnv } from './config/env.schema';
import { DirectoryModule } from './directory/directory.module';
import { ExportsModule } from './exports/exports.module';
import { ImportsModule } from './imports/imports.module';
import { IntakeModule } from './intake/intake.module';
import { LeadsModule } from './leads/leads.module';
import { PipelineStagesModule } from './pipeline-stages/pipeline-stages.module';
import { ProvidersModule } from './providers/providers.module';
import { ingestionService } from './service';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(env: IngestionEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forRoot(ingestionService, env),
        CommonModule,
        AuditModule,
        DirectoryModule,
        WebhooksModule,
        ProvidersModule,
        IntakeModule,
        LeadsModule,
        ContactsModule,
        PipelineStagesModule,
        ExportsModule,
        ImportsModule,
      ],
    };
  }
}
