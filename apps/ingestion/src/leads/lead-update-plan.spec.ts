import type { UpdateLeadDto } from './dto/lead.dto';
import type { LeadBeforeUpdate } from './lead-update-plan';
import { planLeadUpdate } from './lead-update-plan';
import { LeadError, LeadErrorCode } from './leads.errors';

const now = new Date('2026-12-01T10:00:00.000Z');
const followUp = '2026-12-03T09:00:00.000Z';

function lead(values: Partial<LeadBeforeUpdate> = {}): LeadBeforeUpdate {
  return {
    status: 'new',
    stageId: null,
    assignedTo: null,
    priority: 3,
    followUpAt: null,
    tags: [],
    ...values,
  };
}

function plan(dto: UpdateLeadDto, current = lead()) {
  return planLeadUpdate(current, dto, 'user-1', now);
}

describe('planLeadUpdate', () => {
  it('plans nothing when no field differs from the lead', () => {
    const current = lead({ status: 'contacted', stageId: 's1', assignedTo: 'u2', tags: ['a'] });
    expect(
      plan(
        {
          status: 'contacted',
          stageId: 's1',
          assignedTo: 'u2',
          priority: 3,
          followUpAt: null,
          tags: [' a '],
        },
        current,
      ),
    ).toEqual({
      patch: {},
      stageToCheck: null,
      statusChange: null,
      activities: [],
      changed: [],
      announceUpdated: false,
      auditDetails: { changed: [] },
    });
  });

  it('changes the status along an allowed transition: history, its activity, no lead.updated', () => {
    const result = plan({ status: 'contacted' });
    const statusChange = { from: 'new', to: 'contacted', reason: null };
    expect(result.patch).toEqual({
      status: 'contacted',
      statusReason: null,
      statusChangedAt: now,
      statusChangedBy: 'user-1',
    });
    expect(result.statusChange).toEqual(statusChange);
    expect(result.activities).toEqual([
      { type: 'status_change', title: 'Status changed to contacted', metadata: statusChange },
    ]);
    expect(result.changed).toEqual(['status']);
    expect(result.announceUpdated).toBe(false);
    expect(result.auditDetails).toEqual({ changed: ['status'], status: statusChange });
  });

  it('refuses a transition the status machine does not allow', () => {
    expect(() => plan({ status: 'converted' })).toThrow(LeadError);
    expect(() => plan({ status: 'converted' })).toThrow(
      expect.objectContaining({ code: LeadErrorCode.InvalidStatusTransition }),
    );
  });

  it('refuses a closing status without a reason, and keeps the reason given', () => {
    expect(() => plan({ status: 'lost' })).toThrow(LeadError);
    expect(() => plan({ status: 'lost' })).toThrow(
      expect.objectContaining({ code: LeadErrorCode.ReasonRequired }),
    );
    const result = plan({ status: 'lost', statusReason: 'no budget' });
    expect(result.statusChange).toEqual({ from: 'new', to: 'lost', reason: 'no budget' });
    expect(result.patch.statusReason).toBe('no budget');
  });

  it('moves the lead to a new stage, which must be checked first', () => {
    const result = plan({ stageId: 's2' }, lead({ stageId: 's1' }));
    expect(result.stageToCheck).toBe('s2');
    expect(result.patch).toEqual({ stageId: 's2' });
    expect(result.activities).toEqual([
      { type: 'stage_change', title: 'Pipeline stage changed', metadata: { from: 's1', to: 's2' } },
    ]);
    expect(result.announceUpdated).toBe(true);
  });

  it('clears the stage without a check', () => {
    const result = plan({ stageId: null }, lead({ stageId: 's1' }));
    expect(result.stageToCheck).toBeNull();
    expect(result.patch).toEqual({ stageId: null });
  });

  it('assigns and unassigns', () => {
    expect(plan({ assignedTo: 'u1' }).activities).toEqual([
      { type: 'assignment', title: 'Lead assigned', metadata: { from: null, to: 'u1' } },
    ]);
    expect(plan({ assignedTo: null }, lead({ assignedTo: 'u1' })).activities).toEqual([
      { type: 'assignment', title: 'Lead unassigned', metadata: { from: 'u1', to: null } },
    ]);
  });

  it('groups the plain fields in one activity, trimming and de-duplicating the tags', () => {
    const result = plan({ priority: 1, followUpAt: followUp, tags: [' hot', 'hot', 'solar '] });
    expect(result.patch).toEqual({ priority: 1, followUpAt: new Date(followUp), tags: ['hot', 'solar'] });
    expect(result.activities).toEqual([
      {
        type: 'update',
        title: 'Lead updated',
        metadata: { changed: ['priority', 'followUpAt', 'tags'], followUpAt: followUp },
      },
    ]);
    expect(result.changed).toEqual(['priority', 'followUpAt', 'tags']);
  });

  it('compares the follow-up by instant, and clears it', () => {
    expect(plan({ followUpAt: followUp }, lead({ followUpAt: new Date(followUp) })).patch).toEqual({});
    const cleared = plan({ followUpAt: null }, lead({ followUpAt: new Date(followUp) }));
    expect(cleared.patch).toEqual({ followUpAt: null });
    expect(cleared.activities[0].metadata).toEqual({ changed: ['followUpAt'], followUpAt: null });
  });

  it('orders the activities status, stage, assignment, fields and names every change but bookkeeping', () => {
    const result = plan({ status: 'contacted', stageId: 's1', assignedTo: 'u1', priority: 5 });
    expect(result.activities.map((a) => a.type)).toEqual([
      'status_change',
      'stage_change',
      'assignment',
      'update',
    ]);
    expect(result.changed).toEqual(['status', 'stageId', 'assignedTo', 'priority']);
    expect(result.announceUpdated).toBe(true);
  });
});
