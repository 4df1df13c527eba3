import { ServicePlatformModule } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import { ingestionService } from './service';

@Module({
  imports: [ServicePlatformModule.forRoot(ingestionService)],
})
export class AppModule {}
