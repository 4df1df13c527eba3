import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { EnrichmentEnv } from './config/env.schema';
import { enrichmentDatabase } from './database/data-source';
import { responseSchemas } from './openapi-responses.generated';

export const enrichmentService: ServiceDefinition<EnrichmentEnv> = {
  responses: responseSchemas,
  name: 'enrichment',
  title: 'LeadFlow enrichment',
  description: 'Skip tracing, verification, website analysis, scoring models and scores.',
  env: EnrichmentEnv,
  port: (env) => env.ENRICHMENT_PORT,
  database: enrichmentDatabase,
  messaging: { publishes: TopicOwners.enrichment },
};
