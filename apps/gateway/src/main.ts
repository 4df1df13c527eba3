import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { gatewayService } from './service';

void bootstrapService(gatewayService, (env) => AppModule.forRoot(env));
