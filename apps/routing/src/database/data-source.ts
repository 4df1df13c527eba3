import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The routing service's schema and its migrations, in order. */
export const routingDatabase = {
  schema: 'routing',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
