import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { EnrichmentEnv } from './config/env.schema';
import { enrichmentService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: EnrichmentEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(enrichmentService, env)] };
  }
}
