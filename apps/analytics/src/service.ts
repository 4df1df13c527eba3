import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { AnalyticsEnv } from './config/env.schema';
import { analyticsDatabase } from './database/data-source';
import { responseSchemas } from './openapi-responses.generated';

export const analyticsService: ServiceDefinition<AnalyticsEnv> = {
  responses: responseSchemas,
  name: 'analytics',
  title: 'LeadFlow analytics',
  description: 'Read models built from events: daily metrics, funnels, source ROI, campaign and call stats.',
  env: AnalyticsEnv,
  port: (env) => env.ANALYTICS_PORT,
  database: analyticsDatabase,
  messaging: { publishes: TopicOwners.analytics },
};
