import type { EnvSchema } from '@leadflow/platform/config';
import type { Provider } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ResponseSchemas } from './openapi';

/** Everything the platform needs to know to run one service. */
export interface ServiceDefinition<E extends object> {
  /** Service name: log field, Kafka client id, consumer-group and DLQ prefix. */
  name: string;
  title: string;
  description: string;
  env: EnvSchema<E>;
  /** Reads the HTTP port from the settings (`<SERVICE>_PORT`). */
  port: (env: E) => number;
  /** Largest accepted request body (default 1 MB); `false`: bodies are not parsed (the gateway streams them). */
  bodyLimit?: string | false;
  /**
   * Path prefixes whose bodies are read as raw Buffers (any content type, own size limit) instead
   * of parsed: routes that verify a signature over the exact bytes and parse them themselves.
   */
  rawBodies?: readonly { path: string; limit: string }[];
  /** `custom`: the service answers `/readyz` itself (the gateway asks its upstreams). */
  readiness?: 'dependencies' | 'custom';
  /** Express middleware that must run before every Nest route (after the request context). */
  beforeRoutes?: (app: NestExpressApplication) => void;
  /** What its routes answer, for its OpenAPI document (generated: `openapi-responses.generated.ts`). */
  responses?: ResponseSchemas;
  /** Replaces the default Swagger UI set-up at `/docs` (the document is served at /openapi.json either way). */
  docs?: (app: NestExpressApplication, document: OpenAPIObject) => void;
  database?: {
    schema: string;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    migrations: Function[];
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    entities?: Function[];
  };
  /** identity passes its own verification key source; every other service reads identity's JWKS. */
  auth?: { keySource?: Provider };
  messaging?: {
    publishes: readonly string[];
    consumes?: readonly string[];
  };
}
