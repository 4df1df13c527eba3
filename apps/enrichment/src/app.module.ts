import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { enrichmentService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(enrichmentService)],
})
export class AppModule {}
