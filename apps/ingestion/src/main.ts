import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { ingestionService } from './service';

void bootstrapService(ingestionService, (env) => AppModule.forRoot(env));
