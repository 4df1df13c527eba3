import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { analyticsService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(analyticsService)],
})
export class AppModule {}
