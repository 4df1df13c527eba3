import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { routingService } from './service';

void bootstrapService(routingService, (env) => AppModule.forRoot(env));
