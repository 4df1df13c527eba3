import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { analyticsService } from './service';

void bootstrapService(analyticsService, (env) => AppModule.forRoot(env));
