import { messagingTablesMigration } from '@leadflow/platform/messaging';

export const MessagingTables1763900000000 = messagingTablesMigration('voice');
