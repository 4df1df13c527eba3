import type { LeadUpdatedPayload, Page } from '@leadflow/contracts';
import { LeadStatusChanged, LeadUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import type { PageQuery } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type {
  ActivityView,
  CreateNoteDto,
  ListLeadsQuery,
  LogActivityDto,
  NoteView,
  StatusChangeView,
  UpdateLeadDto,
} from './dto/lead.dto';
import { LeadActivityEntity, LeadNoteEntity, LeadStatusChangeEntity } from './lead-history.entities';
import { LeadEntity } from './lead.entity';
import type { LeadView } from './lead.view';
import { toLeadPayload, toLeadView } from './lead.view';
import { planLeadUpdate } from './lead-update-plan';
import { LeadError, LeadErrorCode } from './leads.errors';
import { DirectoryService } from '../directory/directory.service';
import { LeadsRepository } from './leads.repository';

export const LeadAuditActions = { updated: 'lead.updated' } as const;

function toNoteView(n: LeadNoteEntity): NoteView {
  return {
    id: n.id,
    leadId: n.leadId,
    type: n.type,
    body: n.body,
    author: { type: n.authorType, id: n.authorId },
    createdAt: n.createdAt.toISOString(),
  };
}

function toActivityView(a: LeadActivityEntity): ActivityView {
  return {
    id: a.id,
    leadId: a.leadId,
    type: a.type,
    title: a.title,
    description: a.description,
    actor: { type: a.actorType, id: a.actorId, name: a.actorName },
    metadata: a.metadata,
    occurredAt: a.occurredAt.toISOString(),
  };
}

/** The timeline's first entry, derived from the lead itself (not stored twice). */
function receivedActivity(lead: LeadEntity): ActivityView {
  return {
    id: lead.id,
    leadId: lead.id,
    type: lead.duplicateOfLeadId ? 'duplicate_received' : 'created',
    title: lead.duplicateOfLeadId ? 'Duplicate lead received' : 'Lead received',
    description: null,
    actor: { type: lead.providerId ? 'provider' : 'system', id: lead.providerId, name: null },
    metadata: {
      channel: lead.channel,
      webhookId: lead.webhookId,
      importId: lead.importId,
      duplicateOfLeadId: lead.duplicateOfLeadId,
    },
    occurredAt: lead.createdAt.toISOString(),
  };
}

/** `lead.updated` for a lead as it now is, naming what changed (fields, or `notes`/`activities`). */
function leadUpdatedEvent(lead: LeadEntity, changed: string[]): OutgoingEvent<LeadUpdatedPayload> {
  return {
    contract: LeadUpdated,
    aggregateId: lead.id,
    organizationId: lead.organizationId,
    workspaceId: lead.workspaceId,
    payload: { lead: toLeadPayload(lead), changed },
  };
}

/** Working leads: list and search, status machine, pipeline stage, assignment, notes, timeline. */
@Injectable()
export class LeadsService {
  constructor(
    private readonly leads: LeadsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly directory: DirectoryService,
  ) {}

  async list(principal: Principal, query: ListLeadsQuery): Promise<Page<LeadView>> {
    return pageOf(await this.leads.list(tenantScopeOf(principal), query), toLeadView);
  }

  async get(principal: Principal, id: string): Promise<LeadView & { statusHistory: StatusChangeView[] }> {
    const scope = tenantScopeOf(principal);
    const lead = await this.leads.get(scope, id);
    const history = await this.leads.statusHistory(scope, id);
    return {
      ...toLeadView(lead),
      statusHistory: history.map((h) => ({
        from: h.fromStatus,
        to: h.toStatus,
        reason: h.reason,
        changedBy: h.changedBy,
        at: h.createdAt.toISOString(),
      })),
    };
  }

  async update(principal: Principal, id: string, dto: UpdateLeadDto, client: ClientInfo): Promise<LeadView> {
    const scope = tenantScopeOf(principal);
    if (dto.assignedTo) {
      // Before the lead is locked: the check may wait for a user who just joined (leads never
      // change workspace, so the answer holds for the transaction).
      const { workspaceId } = await this.leads.get(scope, id);
      await this.directory.requireAssignee(principal.organizationId, workspaceId, dto.assignedTo);
    }
    return this.uow.run(async (tx) => {
      const current = await this.leads.getForUpdate(tx, scope, id);
      const now = nowMs();
      const plan = planLeadUpdate(current, dto, principal.id, now);
      if (
        plan.stageToCheck !== null &&
        !(await this.leads.stageExists(scope, current.workspaceId, plan.stageToCheck))
      ) {
        throw LeadError.of(LeadErrorCode.UnknownStage, { stageId: plan.stageToCheck });
      }
      const { patch, statusChange, changed } = plan;
      if (Object.keys(patch).length === 0) return toLeadView(current);
      const activities = plan.activities.map(({ type, title, metadata }) =>
        Object.assign(new LeadActivityEntity(), {
          id: uuidv7(),
          organizationId: current.organizationId,
          workspaceId: current.workspaceId,
          leadId: id,
          type,
          title,
          description: null,
          actorType: principal.kind,
          actorId: principal.id,
          actorName: null,
          metadata,
          occurredAt: now,
          createdAt: now,
        } satisfies LeadActivityEntity),
      );

      const updated = Object.assign(new LeadEntity(), current, patch, { updatedAt: now });
      await this.leads.update(tx, scope, id, { ...patch, updatedAt: now });
      if (statusChange) {
        await this.leads.insertStatusChange(
          tx,
          scope,
          Object.assign(new LeadStatusChangeEntity(), {
            id: uuidv7(),
            organizationId: current.organizationId,
            leadId: id,
            fromStatus: statusChange.from,
            toStatus: statusChange.to,
            reason: statusChange.reason,
            changedBy: principal.id,
            changedByName: null,
            createdAt: now,
          } satisfies LeadStatusChangeEntity),
        );
      }
      await this.leads.insertActivities(tx, scope, activities);
      const events: OutgoingEvent<object>[] = [];
      const base = {
        aggregateId: id,
        organizationId: current.organizationId,
        workspaceId: current.workspaceId,
      };
      if (statusChange) {
        events.push({
          ...base,
          contract: LeadStatusChanged,
          payload: { lead: toLeadPayload(updated), ...statusChange, changedBy: principal.id },
        });
      }
      if (plan.announceUpdated) events.push(leadUpdatedEvent(updated, changed));
      await this.changes.record(tx, {
        events,
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: LeadAuditActions.updated,
          target: { type: 'lead', id },
          client,
          details: plan.auditDetails,
        },
      });
      return toLeadView(updated);
    });
  }

  /** Adds a note (and its timeline entry); emits `lead.updated` with `changed: ['notes']`. */
  async addNote(principal: Principal, leadId: string, dto: CreateNoteDto): Promise<NoteView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (tx) => {
      const lead = await this.leads.getForUpdate(tx, scope, leadId);
      const now = nowMs();
      const note = Object.assign(new LeadNoteEntity(), {
        id: uuidv7(),
        organizationId: lead.organizationId,
        workspaceId: lead.workspaceId,
        leadId,
        type: dto.type ?? 'general',
        body: dto.body,
        authorType: principal.kind,
        authorId: principal.id,
        createdAt: now,
      } satisfies LeadNoteEntity);
      await this.leads.insertNote(tx, scope, note);
      await this.leads.insertActivities(tx, scope, [
        Object.assign(new LeadActivityEntity(), {
          id: uuidv7(),
          organizationId: lead.organizationId,
          workspaceId: lead.workspaceId,
          leadId,
          type: 'note',
          title: 'Note added',
          description: dto.body.slice(0, 500),
          actorType: principal.kind,
          actorId: principal.id,
          actorName: null,
          metadata: { noteId: note.id, noteType: note.type },
          occurredAt: now,
          createdAt: now,
        } satisfies LeadActivityEntity),
      ]);
      await this.leads.update(tx, scope, leadId, { updatedAt: now });
      await this.changes.record(tx, {
        events: [leadUpdatedEvent(Object.assign(new LeadEntity(), lead, { updatedAt: now }), ['notes'])],
      });
      return toNoteView(note);
    });
  }

  async notes(principal: Principal, leadId: string, query: PageQuery): Promise<Page<NoteView>> {
    const scope = tenantScopeOf(principal);
    await this.leads.get(scope, leadId);
    return pageOf(await this.leads.listNotes(scope, leadId, query), toNoteView);
  }

  /**
   * Logs a call, e-mail, SMS or meeting on the lead's timeline (a call, e-mail or SMS is a contact
   * attempt); emits `lead.updated` with `changed: ['activities']` (plus `contactAttempts`).
   */
  async logActivity(principal: Principal, leadId: string, dto: LogActivityDto): Promise<ActivityView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (tx) => {
      const lead = await this.leads.getForUpdate(tx, scope, leadId);
      const now = nowMs();
      const row = Object.assign(new LeadActivityEntity(), {
        id: uuidv7(),
        organizationId: lead.organizationId,
        workspaceId: lead.workspaceId,
        leadId,
        type: dto.type,
        title: dto.title,
        description: dto.description ?? null,
        actorType: principal.kind,
        actorId: principal.id,
        actorName: null,
        metadata: {},
        occurredAt: dto.occurredAt ? new Date(dto.occurredAt) : now,
        createdAt: now,
      } satisfies LeadActivityEntity);
      await this.leads.insertActivities(tx, scope, [row]);
      const patch: Partial<LeadEntity> = { updatedAt: now };
      const changed = ['activities'];
      if (dto.type === 'call' || dto.type === 'sms' || dto.type === 'email') {
        patch.contactAttempts = lead.contactAttempts + 1;
        changed.push('contactAttempts');
      }
      await this.leads.update(tx, scope, leadId, patch);
      await this.changes.record(tx, {
        events: [leadUpdatedEvent(Object.assign(new LeadEntity(), lead, patch), changed)],
      });
      return toActivityView(row);
    });
  }

  /** The timeline, newest first; its last page ends with the lead's arrival. */
  async activities(principal: Principal, leadId: string, query: PageQuery): Promise<Page<ActivityView>> {
    const scope = tenantScopeOf(principal);
    const lead = await this.leads.get(scope, leadId);
    const page = pageOf(await this.leads.listActivities(scope, leadId, query), toActivityView);
    if (page.nextCursor === null) page.items.push(receivedActivity(lead));
    return page;
  }
}
