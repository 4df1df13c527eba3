import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The analytics service's schema and its migrations, in order. */
export const analyticsDatabase = {
  schema: 'analytics',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
