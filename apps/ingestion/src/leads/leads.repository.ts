import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { PipelineStageEntity } from '../pipeline-stages/pipeline-stage.entity';
import type { ListLeadsQuery } from './dto/lead.dto';
import { whereLeadMatches } from './lead-filter';
import { LeadActivityEntity, LeadNoteEntity, LeadStatusChangeEntity } from './lead-history.entities';
import { LeadEntity } from './lead.entity';

@Injectable()
export class LeadsRepository {
  private readonly leads: TenantRepository<LeadEntity>;
  private readonly notes: TenantRepository<LeadNoteEntity>;
  private readonly activities: TenantRepository<LeadActivityEntity>;
  private readonly stages: TenantRepository<PipelineStageEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.leads = new TenantRepository(dataSource.getRepository(LeadEntity), 'lead');
    this.notes = new TenantRepository(dataSource.getRepository(LeadNoteEntity), 'note');
    this.activities = new TenantRepository(dataSource.getRepository(LeadActivityEntity), 'activity');
    this.stages = new TenantRepository(dataSource.getRepository(PipelineStageEntity), 'pipeline stage');
  }

  get(scope: TenantScope, id: string, tx?: EntityManager): Promise<LeadEntity> {
    return (tx ? this.leads.within(tx) : this.leads).getOrNotFound(scope, id);
  }

  /** The lead, locked for the rest of the transaction (concurrent changes queue). */
  async getForUpdate(tx: EntityManager, scope: TenantScope, id: string): Promise<LeadEntity> {
    const lead = await this.leads
      .within(tx)
      .queryBuilder(scope, 'l')
      .andWhere('l.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!lead) return this.get(scope, id, tx);
    return lead;
  }

  async update(tx: EntityManager, scope: TenantScope, id: string, patch: Partial<LeadEntity>): Promise<void> {
    await this.leads.within(tx).update(scope, { id }, patch);
  }

  list(scope: TenantScope, query: ListLeadsQuery): Promise<Page<LeadEntity>> {
    const qb = this.leads.queryBuilder(scope, 'l');
    whereLeadMatches(qb, query);
    return keysetPage(qb, 'l', query);
  }

  /** Whether `stageId` is an active stage of the workspace. */
  async stageExists(scope: TenantScope, workspaceId: string, stageId: string): Promise<boolean> {
    const stage = await this.stages.findOne(
      { organizationId: scope.organizationId },
      { id: stageId, workspaceId },
    );
    return stage?.active === true;
  }

  async insertStatusChange(
    tx: EntityManager,
    scope: TenantScope,
    change: LeadStatusChangeEntity,
  ): Promise<void> {
    await new TenantRepository(tx.getRepository(LeadStatusChangeEntity), 'status change', {
      workspaceScoped: false,
    }).insert(scope, [change]);
  }

  async statusHistory(scope: TenantScope, leadId: string): Promise<LeadStatusChangeEntity[]> {
    return new TenantRepository(this.dataSource.getRepository(LeadStatusChangeEntity), 'status change', {
      workspaceScoped: false,
    }).find(scope, { where: { leadId }, order: { createdAt: 'ASC', id: 'ASC' }, take: 500 });
  }

  async insertActivities(tx: EntityManager, scope: TenantScope, rows: LeadActivityEntity[]): Promise<void> {
    if (rows.length > 0) await this.activities.within(tx).insert(scope, rows);
  }

  listActivities(
    scope: TenantScope,
    leadId: string,
    q: { limit: number; cursor?: string },
  ): Promise<Page<LeadActivityEntity>> {
    const qb = this.activities.queryBuilder(scope, 'a').andWhere('a.leadId = :leadId', { leadId });
    return keysetPage(qb, 'a', q, { column: 'occurredAt' });
  }

  async insertNote(tx: EntityManager, scope: TenantScope, note: LeadNoteEntity): Promise<void> {
    await this.notes.within(tx).insert(scope, [note]);
  }

  listNotes(
    scope: TenantScope,
    leadId: string,
    q: { limit: number; cursor?: string },
  ): Promise<Page<LeadNoteEntity>> {
    const qb = this.notes.queryBuilder(scope, 'n').andWhere('n.leadId = :leadId', { leadId });
    return keysetPage(qb, 'n', q);
  }
}
