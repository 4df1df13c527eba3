import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { CampaignsEnv } from './config/env.schema';
import { campaignsDatabase } from './database/data-source';
import { responseSchemas } from './openapi-responses.generated';

export const campaignsService: ServiceDefinition<CampaignsEnv> = {
  responses: responseSchemas,
  name: 'campaigns',
  title: 'LeadFlow campaigns',
  description:
    'Campaigns, templates, sequences, enrollments, e-mail/SMS messages and tracking, senders, suppression lists.',
  env: CampaignsEnv,
  port: (env) => env.CAMPAIGNS_PORT,
  database: campaignsDatabase,
  messaging: { publishes: TopicOwners.campaigns },
};
