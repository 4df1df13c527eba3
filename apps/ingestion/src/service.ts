import { Topics, TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { IngestionEnv } from './config/env.schema';
import { ingestionDatabase } from './database/data-source';
import { INTAKE_BODY_LIMIT, INTAKE_PATH } from './intake/intake.controller';
import { IntakeRoute } from './intake/intake.route';
import { responseSchemas } from './openapi-responses.generated';

export const ingestionService: ServiceDefinition<IngestionEnv> = {
  responses: responseSchemas,
  name: 'ingestion',
  title: 'LeadFlow ingestion',
  description:
    'Vendor webhooks, lead-source providers, contacts and leads, notes, activities, pipeline stages, CSV imports.',
  env: IngestionEnv,
  port: (env) => env.INGESTION_PORT,
  database: ingestionDatabase,
  // Intake verifies signatures over the exact bytes and parses them itself.
  rawBodies: [{ path: INTAKE_PATH, limit: INTAKE_BODY_LIMIT }],
  // Vendor posts are answered ahead of Nest's router (see IntakeRoute).
  beforeRoutes: (app) => app.use(INTAKE_PATH, app.get(IntakeRoute).handle),
  messaging: {
    publishes: TopicOwners.ingestion,
    consumes: [Topics.identityOrganizations, Topics.identityWorkspaces, Topics.identityUsers],
  },
};
