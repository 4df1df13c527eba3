import { MessagingTables1763900000000 } from './migrations/1763900000000-MessagingTables';

/** The voice service's schema and its migrations, in order. */
export const voiceDatabase = {
  schema: 'voice',
  migrations: [MessagingTables1763900000000],
  entities: [],
};
