import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { RoutingEnv } from './config/env.schema';
import { routingDatabase } from './database/data-source';
import { responseSchemas } from './openapi-responses.generated';

export const routingService: ServiceDefinition<RoutingEnv> = {
  responses: responseSchemas,
  name: 'routing',
  title: 'LeadFlow routing',
  description: 'Routing rules, assignments to buyer workspaces, deliveries, appointments, conversions.',
  env: RoutingEnv,
  port: (env) => env.ROUTING_PORT,
  database: routingDatabase,
  messaging: { publishes: TopicOwners.routing },
};
