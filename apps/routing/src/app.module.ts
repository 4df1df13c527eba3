import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { routingService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(routingService)],
})
export class AppModule {}
