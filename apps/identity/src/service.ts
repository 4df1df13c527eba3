import { TopicOwners, Topics } from '@leadflow/contracts';
import { VERIFICATION_KEY_SOURCE } from '@leadflow/platform/auth';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { IdentityEnv } from './config/env.schema';
import { identityDatabase } from './database/data-source';
import { DatabaseKeySource } from './signing-keys/database-key-source';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { responseSchemas } from './openapi-responses.generated';

export const identityService: ServiceDefinition<IdentityEnv> = {
  responses: responseSchemas,
  name: 'identity',
  title: 'LeadFlow identity',
  description: 'Organizations, workspaces, users, memberships and roles, sessions, API keys, JWKS.',
  env: IdentityEnv,
  port: (env) => env.IDENTITY_PORT,
  database: identityDatabase,
  // identity verifies its own tokens from its database, not over HTTP from itself.
  auth: {
    keySource: {
      provide: VERIFICATION_KEY_SOURCE,
      inject: [SigningKeysService],
      useFactory: (keys: SigningKeysService) => new DatabaseKeySource(keys),
    },
  },
  // Consumes ingestion's lead events for the monthly usage counters (usage/usage.consumer.ts).
  messaging: { publishes: TopicOwners.identity, consumes: [Topics.ingestionLeads] },
};
