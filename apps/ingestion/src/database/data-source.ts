import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The ingestion service's schema and its migrations, in order. */
export const ingestionDatabase = {
  schema: 'ingestion',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
