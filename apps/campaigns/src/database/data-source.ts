import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The campaigns service's schema and its migrations, in order. */
export const campaignsDatabase = {
  schema: 'campaigns',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
