import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AnalyticsEnv } from './config/env.schema';
import { analyticsService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: AnalyticsEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(analyticsService, env)] };
  }
}
