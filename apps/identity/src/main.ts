import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { identityService } from './service';

void bootstrapService(identityService, (env) => AppModule.forRoot(env));
