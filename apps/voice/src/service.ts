import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { VoiceEnv } from './config/env.schema';
import { voiceDatabase } from './database/data-source';
import { responseSchemas } from './openapi-responses.generated';

export const voiceService: ServiceDefinition<VoiceEnv> = {
  responses: responseSchemas,
  name: 'voice',
  title: 'LeadFlow voice',
  description: 'Voice agents, call queue, calls, calling-window rules, provider callbacks.',
  env: VoiceEnv,
  port: (env) => env.VOICE_PORT,
  database: voiceDatabase,
  messaging: { publishes: TopicOwners.voice },
};
