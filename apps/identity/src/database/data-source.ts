import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The identity service's schema and its migrations, in order. */
export const identityDatabase = {
  schema: 'identity',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
