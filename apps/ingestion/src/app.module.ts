import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { IngestionEnv } from './config/env.schema';
import { ingestionService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: IngestionEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(ingestionService, env)] };
  }
}
