import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { VoiceEnv } from './config/env.schema';
import { voiceService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: VoiceEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(voiceService, env)] };
  }
}
