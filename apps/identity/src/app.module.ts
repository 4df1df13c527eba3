import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { identityService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(identityService)],
})
export class AppModule {}
