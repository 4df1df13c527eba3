/**
 * Every Kafka topic of the platform: `<service>.<aggregate>.v<N>`, keyed by the aggregate id.
 * A breaking payload change is a new `vN` topic, never an edit of an existing one.
 */
export const Topics = {
  identityOrganizations: 'identity.organizations.v1',
  identityWorkspaces: 'identity.workspaces.v1',
  identityUsers: 'identity.users.v1',
  ingestionContacts: 'ingestion.contacts.v1',
  ingestionLeads: 'ingestion.leads.v1',
  ingestionImports: 'ingestion.imports.v1',
  enrichmentResults: 'enrichment.results.v1',
  campaignsMessages: 'campaigns.messages.v1',
  campaignsEnrollments: 'campaigns.enrollments.v1',
  voiceCallRequests: 'voice.call-requests.v1',
  voiceCalls: 'voice.calls.v1',
  routingAssignments: 'routing.assignments.v1',
  routingDeliveries: 'routing.deliveries.v1',
  routingAppointments: 'routing.appointments.v1',
  routingConversions: 'routing.conversions.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Services that own a schema, consume events and so have a dead-letter topic. */
export const ServiceNames = [
  'identity',
  'ingestion',
  'enrichment',
  'campaigns',
  'voice',
  'routing',
  'analytics',
] as const;
export type ServiceName = (typeof ServiceNames)[number];

/** Topics each service publishes (it is the only writer of them). */
export const TopicOwners: Record<ServiceName, readonly TopicName[]> = {
  identity: [Topics.identityOrganizations, Topics.identityWorkspaces, Topics.identityUsers],
  ingestion: [Topics.ingestionContacts, Topics.ingestionLeads, Topics.ingestionImports],
  enrichment: [Topics.enrichmentResults],
  campaigns: [Topics.campaignsMessages, Topics.campaignsEnrollments, Topics.voiceCallRequests],
  voice: [Topics.voiceCalls],
  routing: [
    Topics.routingAssignments,
    Topics.routingDeliveries,
    Topics.routingAppointments,
    Topics.routingConversions,
  ],
  analytics: [],
};

/** The dead-letter topic of a service: `<service>.dlq`. */
export function dlqTopic(service: string): string {
  return `${service}.dlq`;
}
