import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { enrichmentService } from './service';

void bootstrapService(enrichmentService, (env) => AppModule.forRoot(env));
