import 'reflect-metadata';
import { bootstrapService } from '@leadflow/platform/service';
import { AppModule } from './app.module';
import { voiceService } from './service';

void bootstrapService(voiceService, (env) => AppModule.forRoot(env));
