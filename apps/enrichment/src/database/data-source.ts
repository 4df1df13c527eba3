import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The enrichment service's schema and its migrations, in order. */
export const enrichmentDatabase = {
  schema: 'enrichment',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
