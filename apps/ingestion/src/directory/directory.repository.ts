import type {
  OrganizationPayload,
  UserPayload,
  UserRemovedPayload,
  WorkspacePayload,
} from '@leadflow/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { OrganizationCopyEntity, UserCopyEntity, WorkspaceCopyEntity } from './directory.entities';

/** The local copies of identity's organizations, workspaces and users (written only from events). */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Upserts unless the stored row comes from a newer event. */
  async saveOrganization(tx: EntityManager, org: OrganizationPayload, eventAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.organizations (id, plan, quotas, status, event_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET plan = EXCLUDED.plan, quotas = EXCLUDED.quotas,
         status = EXCLUDED.status, event_at = EXCLUDED.event_at
       WHERE ingestion.organizations.event_at <= EXCLUDED.event_at`,
      [org.id, org.plan, JSON.stringify(org.quotas), org.status, eventAt],
    );
  }

  async saveWorkspace(tx: EntityManager, ws: WorkspacePayload, eventAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.workspaces (id, organization_id, name, kind, timezone, status, event_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         timezone = EXCLUDED.timezone, status = EXCLUDED.status, event_at = EXCLUDED.event_at
       WHERE ingestion.workspaces.event_at <= EXCLUDED.event_at
         AND ingestion.workspaces.organization_id = EXCLUDED.organization_id`,
      [ws.id, ws.organizationId, ws.name, ws.kind, ws.timezone, ws.status, eventAt],
    );
  }

  async saveUser(tx: EntityManager, user: UserPayload, eventAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.users (id, organization_id, role, workspace_ids, active, event_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, workspace_ids = EXCLUDED.workspace_ids,
         active = EXCLUDED.active, event_at = EXCLUDED.event_at
       WHERE ingestion.users.event_at <= EXCLUDED.event_at
         AND ingestion.users.organization_id = EXCLUDED.organization_id`,
      [user.id, user.organizationId, user.role, user.workspaceIds ?? null, user.active, eventAt],
    );
  }

  /**
   * A removed member is kept as inactive (not deleted), so an older user.updated arriving late
   * cannot bring it back; a later user.created/updated (re-invited) does.
   */
  async removeUser(tx: EntityManager, removed: UserRemovedPayload, eventAt: Date): Promise<void> {
    await tx.query(
      `UPDATE ingestion.users SET active = false, event_at = $3
        WHERE id = $1 AND organization_id = $2 AND event_at <= $3`,
      [removed.id, removed.organizationId, eventAt],
    );
  }

  findUser(organizationId: string, id: string): Promise<UserCopyEntity | null> {
    return this.dataSource.getRepository(UserCopyEntity).findOneBy({ id, organizationId });
  }

  findWorkspace(organizationId: string, id: string): Promise<WorkspaceCopyEntity | null> {
    return this.dataSource.getRepository(WorkspaceCopyEntity).findOneBy({ id, organizationId });
  }

  findOrganization(id: string): Promise<OrganizationCopyEntity | null> {
    return this.dataSource.getRepository(OrganizationCopyEntity).findOneBy({ id });
  }
}
