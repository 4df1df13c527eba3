import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { IngestionEnv } from './config/env.schema';
import { ingestionDatabase } from './database/data-source';

export const ingestionService: ServiceDefinition<IngestionEnv> = {
  name: 'ingestion',
  title: 'LeadFlow ingestion',
  description:
    'Vendor webhooks, lead-source providers, contacts and leads, notes, activities, pipeline stages, CSV imports.',
  env: IngestionEnv,
  port: (env) => env.INGESTION_PORT,
  database: ingestionDatabase,
  messaging: { publishes: TopicOwners.ingestion },
};
