import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { campaignsService } from './service';

void bootstrapService(campaignsService, (env) => AppModule.forRoot(env));
