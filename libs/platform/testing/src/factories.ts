import { v7 as uuidv7 } from 'uuid';

/** Small builders of ids and tenants for tests; every call gives fresh values. */
export const factories = {
  id: (): string => uuidv7(),
  tenant: (): { organizationId: string; workspaceId: string } => ({
    organizationId: uuidv7(),
    workspaceId: uuidv7(),
  }),
};
