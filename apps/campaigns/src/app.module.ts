import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { campaignsService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(campaignsService)],
})
export class AppModule {}
