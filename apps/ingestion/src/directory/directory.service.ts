import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrganizationCopyEntity, UserCopyEntity, WorkspaceCopyEntity } from './directory.entities';
import { DirectoryRepository } from './directory.repository';
import type { AssigneeRefusal } from './directory.errors';
import { DirectoryError, DirectoryErrorCode } from './directory.errors';

/** How long a request waits for a workspace or user identity just created to reach the local copy. */
const SYNC_WAIT_MS = 5000;

/** Why `user` may not work leads of `workspaceId`, or null when it may. */
export function assigneeRefusal(user: UserCopyEntity | null, workspaceId: string): AssigneeRefusal | null {
  if (!user) return 'member_exists';
  if (!user.active) return 'member_active';
  if (user.workspaceIds !== null && !user.workspaceIds.includes(workspaceId)) return 'member_of_workspace';
  return null;
}

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
    const deadline = Date.now() + SYNC_WAIT_MS;
    for (;;) {
      const workspace = await this.directory.findWorkspace(organizationId, id);
      if (workspace?.status === 'active') return workspace;
      if (workspace || Date.now() >= deadline)
        throw DirectoryError.of(DirectoryErrorCode.UnknownWorkspace, {
          field,
          id,
          archived: workspace !== null,
        });
      await sleep(100);
    }
  }

  /**
   * Checks that user `id` may be given leads of `workspaceId`: an active member of the
   * organization with access to that workspace. A user who joined a moment ago may still be on
   * the way from identity, so an unknown id is looked up again for a few seconds before it is
   * refused; a known user's answer is final.
   */
  async requireAssignee(
    organizationId: string,
    workspaceId: string,
    id: string,
    field = 'assignedTo',
  ): Promise<void> {
    const deadline = Date.now() + SYNC_WAIT_MS;
    for (;;) {
      const user = await this.directory.findUser(organizationId, id);
      const refusal = assigneeRefusal(user, workspaceId);
      if (!refusal) return;
      if (user || Date.now() >= deadline)
        throw DirectoryError.of(DirectoryErrorCode.InvalidAssignee, { field, id, rule: refusal });
      await sleep(100);
    }
  }

  organization(id: string): Promise<OrganizationCopyEntity | null> {
    return this.directory.findOrganization(id);
  }
}
