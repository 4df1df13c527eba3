import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { AnalyticsEnv } from './config/env.schema';
import { analyticsDatabase } from './database/data-source';

export const analyticsService: ServiceDefinition<AnalyticsEnv> = {
  name: 'analytics',
  title: 'LeadFlow analytics',
  description: 'Read models built from events: daily metrics, funnels, source ROI, campaign and call stats.',
  env: AnalyticsEnv,
  port: (env) => env.ANALYTICS_PORT,
  database: analyticsDatabase,
  messaging: { publishes: TopicOwners.analytics },
};
