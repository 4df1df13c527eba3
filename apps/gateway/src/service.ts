import type { ServiceDefinition } from '@leadflow/platform/service';
import { GatewayEnv } from './config/env.schema';
import { setupSwaggerUi } from './docs/swagger-ui';
import { GatewayFrontDoor } from './proxy/front-door';
import { responseSchemas } from './openapi-responses.generated';

export const gatewayService: ServiceDefinition<GatewayEnv> = {
  responses: responseSchemas,
  name: 'gateway',
  title: 'LeadFlow gateway',
  description:
    'The single public entry: routes /api/v1 and the public webhook, tracking and callback paths to the services, ' +
    'aggregates their readiness at /readyz and their OpenAPI documents at /docs.',
  env: GatewayEnv,
  port: (env) => env.GATEWAY_PORT,
  // Bodies are streamed to the upstreams untouched, by the proxy in front of Express.
  bodyLimit: false,
  beforeRoutes: (app) => app.get(GatewayFrontDoor).install(app),
  readiness: 'custom',
  docs: setupSwaggerUi,
};
