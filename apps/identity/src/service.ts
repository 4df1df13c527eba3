import { TopicOwners } from '@leadflow/contracts';
import type { ServiceDefinition } from '@leadflow/platform/service';
import { IdentityEnv } from './config/env.schema';
import { identityDatabase } from './database/data-source';

export const identityService: ServiceDefinition<IdentityEnv> = {
  name: 'identity',
  title: 'LeadFlow identity',
  description: 'Organizations, workspaces, users, memberships and roles, sessions, API keys, JWKS.',
  env: IdentityEnv,
  port: (env) => env.IDENTITY_PORT,
  database: identityDatabase,
  messaging: { publishes: TopicOwners.identity },
};
