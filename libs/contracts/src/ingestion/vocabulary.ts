/**
 * The words of lead intake that other services read too: verticals, lead statuses and the
 * status machine, request outcomes.
 */
export const Verticals = [
  'solar',
  'hvac',
  'insurance',
  'real_estate',
  'home_improvement',
  'b2b',
  'generic',
] as const;
export type Vertical = (typeof Verticals)[number];

export const LeadStatuses = [
  'new',
  'contacted',
  'qualified',
  'converted',
  'unqualified',
  'lost',
  'duplicate',
] as const;
export type LeadStatus = (typeof LeadStatuses)[number];

/** Forward path `new → contacted → qualified → converted`; any open lead may end unqualified, lost or duplicate. */
export const LeadStatusTransitions: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'unqualified', 'lost', 'duplicate'],
  contacted: ['qualified', 'unqualified', 'lost', 'duplicate'],
  qualified: ['converted', 'unqualified', 'lost', 'duplicate'],
  converted: [],
  unqualified: [],
  lost: [],
  duplicate: [],
};

/** Statuses that end a lead: a change into them needs a reason. */
export const ClosingLeadStatuses: readonly LeadStatus[] = ['unqualified', 'lost', 'duplicate'];

export function canChangeLeadStatus(from: LeadStatus, to: LeadStatus): boolean {
  return LeadStatusTransitions[from].includes(to);
}

/** How a lead arrived. */
export const LeadChannels = ['webhook', 'import', 'api'] as const;
export type LeadChannel = (typeof LeadChannels)[number];

/** What became of one intake request (webhook post or import row). */
export const IntakeOutcomes = ['accepted', 'duplicate', 'rejected'] as const;
export type IntakeOutcome = (typeof IntakeOutcomes)[number];
