import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { voiceService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(voiceService)],
})
export class AppModule {}
