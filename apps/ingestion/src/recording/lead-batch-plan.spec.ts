import type { NormalizedLead } from '@leadflow/normalization';
import type { BatchLead, BatchSettings, BatchSnapshot, ContactState } from './lead-batch-plan';
import { batchIdentities, externalIdRef, idempotencyRef, planBatch } from './lead-batch-plan';

const at = new Date('2026-11-23T12:00:00.000Z');

function lead(values: Partial<NormalizedLead>): NormalizedLead {
  return {
    externalId: null,
    firstName: null,
    lastName: null,
    phone: null,
    email: null,
    address: null,
    address2: null,
    city: null,
    state: null,
    zip: null,
    consent: null,
    contactable: { phone: false, sms: false, email: false },
    tracking: {
      source: null,
      subsource: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmTerm: null,
      utmContent: null,
      campaignId: null,
      landingPageUrl: null,
      ip: null,
      userAgent: null,
    },
    attributes: {},
    ...values,
  };
}

function rows(...leads: Partial<NormalizedLead>[]): BatchLead[] {
  return leads.map((values, i) => ({
    row: i + 1,
    lead: lead(values),
    sourceKey: 'webhook:w',
    idempotencyKey: null,
  }));
}

function existing(
  id: string,
  values: Partial<ContactState>,
  createdAt = new Date('2026-01-01'),
): ContactState {
  return {
    id,
    workspaceId: 'ws',
    firstName: null,
    lastName: null,
    phone: null,
    email: null,
    address: null,
    address2: null,
    city: null,
    state: null,
    zip: null,
    tags: [],
    createdAt,
    updatedAt: createdAt,
    isNew: false,
    readUpdatedAt: createdAt,
    ...values,
  };
}

function settings(overrides: Partial<BatchSettings> = {}): BatchSettings {
  let n = 0;
  return {
    match: ['external_id', 'phone', 'email'],
    windowHours: 720,
    workspaceId: 'ws',
    receivedAt: at,
    newId: () => `id-${String(++n).padStart(4, '0')}`,
    ...overrides,
  };
}

const empty: BatchSnapshot = { contacts: [], priorLeads: new Map(), recentOriginals: new Map() };

describe('planBatch (as if the rows were posted one after another)', () => {
  it('creates one contact per new person and links a repeat of the same phone as a duplicate of the first lead', () => {
    const plan = planBatch(
      rows({ phone: '+15122000001', email: 'a@x.com' }, { phone: '+15122000001', email: 'other@x.com' }),
      empty,
      settings(),
    );
    expect(plan.createdContacts).toHaveLength(1);
    const [first, second] = plan.outcomes;
    if (first.kind !== 'stored' || second.kind !== 'stored') throw new Error('expected stored rows');
    expect(first.status).toBe('new');
    expect(second).toMatchObject({
      status: 'duplicate',
      originalLeadId: first.leadId,
      contactId: first.contactId,
    });
    expect(second.contactEvent).toBeNull(); // the contact already has an e-mail: nothing filled
  });

  it('finds a contact by e-mail only when it has no different phone, and fills its blanks', () => {
    const snapshot: BatchSnapshot = {
      ...empty,
      contacts: [
        existing('c-phone', { email: 'a@x.com', phone: '+15122000009' }),
        existing('c-blank', { email: 'b@x.com' }),
      ],
    };
    const plan = planBatch(
      rows(
        { phone: '+15122000001', email: 'a@x.com' },
        { phone: '+15122000002', email: 'b@x.com', city: 'Austin' },
      ),
      snapshot,
      settings(),
    );
    const [first, second] = plan.outcomes;
    if (first.kind !== 'stored' || second.kind !== 'stored') throw new Error('expected stored rows');
    expect(first.contactEvent?.kind).toBe('created'); // a@x.com belongs to someone with another phone
    expect(second.contactId).toBe('c-blank');
    expect(second.contactEvent).toMatchObject({
      kind: 'updated',
      contact: { phone: '+15122000002', city: 'Austin' },
    });
    expect(plan.updatedContacts.map((c) => c.id)).toEqual(['c-blank']);
  });

  it('prefers, by e-mail, a contact without a phone when the lead has no phone to match by', () => {
    const snapshot: BatchSnapshot = {
      ...empty,
      contacts: [
        existing('c-old-with-phone', { email: 'a@x.com', phone: '+15122000009' }, new Date('2026-01-01')),
        existing('c-new-without', { email: 'a@x.com' }, new Date('2026-02-01')),
      ],
    };
    const plan = planBatch(
      rows({ email: 'a@x.com' }, { email: 'a@x.com', phone: '+15122000001' }),
      snapshot,
      settings(),
    );
    expect(plan.outcomes.map((o) => (o.kind === 'stored' ? o.contactId : o.kind))).toEqual([
      'c-new-without', // no phone: the phone-less contact first
      'c-new-without', // a phone that matches nobody: the oldest without a different phone
    ]);
  });

  it('reaches a contact by a phone an earlier row of the batch filled in', () => {
    const snapshot: BatchSnapshot = { ...empty, contacts: [existing('c1', { email: 'a@x.com' })] };
    const plan = planBatch(
      rows({ phone: '+15122000001', email: 'a@x.com' }, { phone: '+15122000001' }),
      snapshot,
      settings(),
    );
    expect(plan.outcomes.map((o) => (o.kind === 'stored' ? o.contactId : o.kind))).toEqual(['c1', 'c1']);
    expect(plan.createdContacts).toHaveLength(0);
  });

  it('takes the earliest recent lead from the database as the original, else the batch’s first new lead', () => {
    const snapshot: BatchSnapshot = {
      ...empty,
      contacts: [existing('c1', { phone: '+15122000001' })],
      recentOriginals: new Map([['c1', 'lead-in-db']]),
    };
    const plan = planBatch(
      rows({ phone: '+15122000001' }, { phone: '+15122000002' }, { phone: '+15122000002' }),
      snapshot,
      settings(),
    );
    expect(plan.outcomes.map((o) => (o.kind === 'stored' ? [o.status, o.originalLeadId] : o.kind))).toEqual([
      ['duplicate', 'lead-in-db'],
      ['new', null],
      ['duplicate', plan.outcomes[1].kind === 'stored' ? plan.outcomes[1].leadId : ''],
    ]);
  });

  it('never marks duplicates with a window of 0 hours', () => {
    const plan = planBatch(
      rows({ phone: '+15122000001' }, { phone: '+15122000001' }),
      empty,
      settings({ windowHours: 0 }),
    );
    expect(plan.outcomes.map((o) => o.kind === 'stored' && o.status)).toEqual(['new', 'new']);
  });

  it('replays an external id the source already used, in the database or earlier in the batch', () => {
    const prior = { leadId: 'lead-in-db', contactId: 'c-db', status: 'qualified' };
    const snapshot: BatchSnapshot = {
      ...empty,
      priorLeads: new Map([[externalIdRef('webhook:w', 'L-1'), prior]]),
    };
    const plan = planBatch(
      rows(
        { externalId: 'L-1', phone: '+15122000001' },
        { externalId: 'L-2', phone: '+15122000002' },
        { externalId: 'L-2', phone: '+15122000003' },
      ),
      snapshot,
      settings(),
    );
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['replayed', 'stored', 'replayed']);
    const [first, second, third] = plan.outcomes;
    if (first.kind !== 'replayed' || second.kind !== 'stored' || third.kind !== 'replayed')
      throw new Error('unexpected outcomes');
    expect(first.prior).toEqual(prior);
    expect(third.prior).toEqual({ leadId: second.leadId, contactId: second.contactId, status: 'new' });
    expect(plan.createdContacts).toHaveLength(1); // a replay touches no contact
  });

  it('keeps the external ids of different sources apart', () => {
    const batch = rows(
      { externalId: 'L-1', phone: '+15122000001' },
      { externalId: 'L-1', phone: '+15122000002' },
    );
    batch[1].sourceKey = 'provider-2';
    const snapshot: BatchSnapshot = {
      ...empty,
      priorLeads: new Map([
        [externalIdRef('provider-3', 'L-1'), { leadId: 'x', contactId: 'c', status: 'new' }],
      ]),
    };
    const plan = planBatch(batch, snapshot, settings());
    expect(plan.outcomes.map((o) => o.kind === 'stored' && o.externalId)).toEqual(['L-1', 'L-1']);
  });

  it('replays an idempotency key taken in the database or earlier in the batch, even for another person', () => {
    const batch = rows({ phone: '+15122000001' }, { phone: '+15122000002' }, { phone: '+15122000003' });
    batch[0].idempotencyKey = 'k-db';
    batch[1].idempotencyKey = 'k-new';
    batch[2].idempotencyKey = 'k-new';
    const prior = { leadId: 'lead-in-db', contactId: 'c-db', status: 'duplicate' };
    const plan = planBatch(
      batch,
      { ...empty, priorLeads: new Map([[idempotencyRef('webhook:w', 'k-db'), prior]]) },
      settings(),
    );
    const [first, second, third] = plan.outcomes;
    if (first.kind !== 'replayed' || second.kind !== 'stored' || third.kind !== 'replayed')
      throw new Error('unexpected outcomes');
    expect(first.prior).toEqual(prior);
    expect(third.prior.leadId).toBe(second.leadId);
    expect(plan.createdContacts).toHaveLength(1);
  });

  it('keeps the idempotency keys of different sources of the webhook apart', () => {
    const batch = rows({ phone: '+15122000001' }, { phone: '+15122000002' }, { phone: '+15122000003' });
    batch[0].sourceKey = 'provider-1';
    batch[1].sourceKey = 'provider-2';
    batch[2].sourceKey = 'provider-2';
    for (const row of batch) row.idempotencyKey = '1';
    const snapshot: BatchSnapshot = {
      ...empty,
      // Provider 3 used the key before: nobody else's post is its replay.
      priorLeads: new Map([
        [idempotencyRef('provider-3', '1'), { leadId: 'lead-p3', contactId: 'c-p3', status: 'new' }],
      ]),
    };
    const plan = planBatch(batch, snapshot, settings());
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'replayed']);
    const [first, second, third] = plan.outcomes;
    if (first.kind !== 'stored' || second.kind !== 'stored' || third.kind !== 'replayed')
      throw new Error('unexpected outcomes');
    expect(first.leadId).not.toBe(second.leadId);
    expect(third.prior.leadId).toBe(second.leadId); // provider 2's own key, again
    expect(plan.createdContacts).toHaveLength(2);
  });

  it('keeps a reused external id in attributes when external ids are not a dedup key', () => {
    const plan = planBatch(
      rows({ externalId: 'L-1', phone: '+15122000001' }, { externalId: 'L-1', phone: '+15122000002' }),
      empty,
      settings({ match: ['phone', 'email'] }),
    );
    const [first, second] = plan.outcomes;
    if (first.kind !== 'stored' || second.kind !== 'stored') throw new Error('expected stored rows');
    expect(first.externalId).toBe('L-1');
    expect(second.externalId).toBeNull();
    expect(second.attributes).toMatchObject({ externalIdReused: 'L-1' });
  });

  describe('the contact is one person whatever the dedup keys; a duplicate needs a dedup key', () => {
    const statuses = (plan: ReturnType<typeof planBatch>) =>
      plan.outcomes.map((o) => (o.kind === 'stored' ? [o.contactId, o.status, o.originalLeadId] : o.kind));

    it('finds the contact by phone, then e-mail, but marks no duplicate without phone or e-mail keys', () => {
      for (const match of [[], ['external_id']] as const) {
        const snapshot: BatchSnapshot = {
          ...empty,
          contacts: [
            existing('c-phone', { phone: '+15122000001' }),
            existing('c-email', { email: 'b@x.com' }),
          ],
          recentOriginals: new Map([
            ['c-phone', 'lead-in-db-1'],
            ['c-email', 'lead-in-db-2'],
          ]),
        };
        const plan = planBatch(
          rows(
            { phone: '+15122000001' },
            { email: 'b@x.com' },
            { phone: '+15122000003', email: 'new@x.com' },
            { phone: '+15122000003' },
          ),
          snapshot,
          settings({ match }),
        );
        expect(statuses(plan)).toEqual([
          ['c-phone', 'new', null],
          ['c-email', 'new', null],
          [plan.createdContacts[0]?.id, 'new', null],
          [plan.createdContacts[0]?.id, 'new', null],
        ]);
        expect(plan.createdContacts).toHaveLength(1);
      }
    });

    it('with only e-mail as a key: a duplicate when the contact found by phone has the lead’s e-mail', () => {
      const snapshot: BatchSnapshot = {
        ...empty,
        contacts: [existing('c1', { phone: '+15122000001', email: 'a@x.com' })],
        recentOriginals: new Map([['c1', 'lead-in-db']]),
      };
      const plan = planBatch(
        rows(
          { phone: '+15122000001', email: 'other@x.com' }, // same person by phone, another e-mail
          { phone: '+15122000001', email: 'a@x.com' }, // the e-mail (a key) matches too
          { phone: '+15122000001' }, // no e-mail to match by
        ),
        snapshot,
        settings({ match: ['email'] }),
      );
      expect(statuses(plan)).toEqual([
        ['c1', 'new', null],
        ['c1', 'duplicate', 'lead-in-db'],
        ['c1', 'new', null],
      ]);
    });

    it('with only phone as a key: reached by e-mail is not a duplicate until the phone it filled in matches', () => {
      const snapshot: BatchSnapshot = {
        ...empty,
        contacts: [existing('c1', { email: 'a@x.com' })],
        recentOriginals: new Map([['c1', 'lead-in-db']]),
      };
      const plan = planBatch(
        rows({ phone: '+15122000001', email: 'a@x.com' }, { phone: '+15122000001' }),
        snapshot,
        settings({ match: ['phone'] }),
      );
      expect(statuses(plan)).toEqual([
        ['c1', 'new', null], // found by e-mail; the contact had no phone
        ['c1', 'duplicate', 'lead-in-db'], // found by the phone the first row filled in
      ]);
      expect(plan.updatedContacts.map((c) => c.phone)).toEqual(['+15122000001']);
    });

    it('links a duplicate to the earliest lead that is not one, even when that lead matched by no key', () => {
      const plan = planBatch(
        rows({ phone: '+15122000001' }, { phone: '+15122000001', email: 'a@x.com' }, { email: 'a@x.com' }),
        empty,
        settings({ match: ['email'] }),
      );
      const first = plan.outcomes[0].kind === 'stored' ? plan.outcomes[0].leadId : '';
      const contact = plan.createdContacts[0].id;
      expect(statuses(plan)).toEqual([
        [contact, 'new', null],
        [contact, 'new', null], // by phone (not a key): the contact had no e-mail yet
        [contact, 'duplicate', first], // by the e-mail the second row filled in
      ]);
    });
  });
});

describe('batchIdentities', () => {
  it('spells every identity as a lock key, sorted and each once', () => {
    const batch = rows(
      { externalId: 'L-1', phone: '+15122000001', email: 'a@x.com' },
      { phone: '+15122000001' },
      { externalId: 'L-1' },
    );
    batch[1].idempotencyKey = 'k-1';
    batch[2].sourceKey = 'provider-2';
    const ids = batchIdentities(batch, ['external_id', 'phone', 'email'], {
      organizationId: 'org',
      webhookId: 'w',
      scope: 'organization',
    });
    expect(ids.locks).toEqual([
      'e|org|organization|a@x.com',
      'i|org|w|webhook:w|k-1',
      'p|org|organization|+15122000001',
      'x|org|provider-2|L-1',
      'x|org|webhook:w|L-1',
    ]);
    expect(ids.phones).toEqual(['+15122000001']);
    expect(ids.externalIds).toEqual({ sourceKeys: ['webhook:w', 'provider-2'], values: ['L-1', 'L-1'] });
    expect(ids.idempotencyKeys).toEqual({ sourceKeys: ['webhook:w'], values: ['k-1'] });
  });

  it('locks and looks up an idempotency key per source', () => {
    const batch = rows({ phone: '+15122000001' }, { phone: '+15122000002' }, { phone: '+15122000003' });
    batch[0].sourceKey = 'provider-1';
    batch[1].sourceKey = 'provider-2';
    batch[2].sourceKey = 'provider-2';
    for (const row of batch) row.idempotencyKey = '1';
    const ids = batchIdentities(batch, [], { organizationId: 'org', webhookId: 'w', scope: 'webhook:w' });
    expect(ids.locks.filter((k) => k.startsWith('i|'))).toEqual([
      'i|org|w|provider-1|1',
      'i|org|w|provider-2|1',
    ]);
    expect(ids.idempotencyKeys).toEqual({ sourceKeys: ['provider-1', 'provider-2'], values: ['1', '1'] });
  });

  it('always locks and looks up phones and e-mails (they say who the contact is), external ids only as a key', () => {
    const batch = rows({ externalId: 'L-1', phone: '+15122000001', email: 'a@x.com' });
    const ids = batchIdentities(batch, [], { organizationId: 'org', webhookId: 'w', scope: 'webhook:w' });
    expect(ids.locks).toEqual(['e|org|webhook:w|a@x.com', 'p|org|webhook:w|+15122000001']);
    expect(ids).toMatchObject({ phones: ['+15122000001'], emails: ['a@x.com'] });
    expect(ids.externalIds).toEqual({ sourceKeys: ['webhook:w'], values: ['L-1'] }); // still looked up
  });
});
