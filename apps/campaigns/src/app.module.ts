import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { CampaignsEnv } from './config/env.schema';
import { campaignsService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: CampaignsEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(campaignsService, env)] };
  }
}
