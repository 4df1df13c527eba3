import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrganizationCopyEntity, WorkspaceCopyEntity } from './directory.entities';
import { DirectoryRepository } from './directory.repository';
import { UnknownWorkspaceError } from './directory.errors';

/** How long a request waits for a workspace identity just created to reach the local copy. */
const WORKSPACE_SYNC_WAIT_MS = 5000;

/** What ingestion knows of identity's tenants. */
@Injectable()
export class DirectoryService {
  constructor(private readonly directory: DirectoryRepository) {}

  /**
   * The organization's active workspace `id`. A workspace created a moment ago may still be on its
   * way from identity, so an unknown id is looked up again for a few seconds before it is refused.
   */
  async requireWorkspace(
    organizationId: string,
    id: string,
    field = 'workspaceId',
  ): Promise<WorkspaceCopyEntity> {
    const deadline = Date.now() + WORKSPACE_SYNC_WAIT_MS;
    for (;;) {
      const workspace = await this.directory.findWorkspace(organizationId, id);
      if (workspace?.status === 'active') return workspace;
      if (workspace || Date.now() >= deadline) throw new UnknownWorkspaceError(field, id, workspace !== null);
      await sleep(100);
    }
  }

  organization(id: string): Promise<OrganizationCopyEntity | null> {
    return this.directory.findOrganization(id);
  }
}
