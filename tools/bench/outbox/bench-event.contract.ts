import { defineEvent } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { ArrayMaxSize, IsArray, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/**
 * Bench-only event with the shape of a real intake event (a captured lead): its id, a source, masked
 * contact data, attribution and a score. Its envelope serializes to about 600 bytes of JSON.
 */
export class BenchLeadCapturedPayload {
  @IsUUID('all')
  leadId!: string;

  @IsString()
  @MaxLength(100)
  sourceName!: string;

  @IsString()
  @MaxLength(100)
  firstName!: string;

  @IsString()
  @MaxLength(100)
  lastName!: string;

  @IsString()
  @MaxLength(20)
  phoneMasked!: string;

  @IsString()
  @MaxLength(10)
  postalCode!: string;

  @IsInt()
  @Min(0)
  @Max(100)
  score!: number;

  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  tags!: string[];

  @IsString()
  @MaxLength(100)
  utmCampaign!: string;
}

export const BenchLeadCaptured = defineEvent({
  type: 'bench.lead_captured',
  version: 1,
  topic: 'bench.leads.v1',
  payload: BenchLeadCapturedPayload,
});

const ORGANIZATION_ID = '0190a5b2-7c3e-7d41-8f2a-5b6c7d8e9f01';
const WORKSPACE_ID = '0190a5b2-7c3e-7d41-8f2a-5b6c7d8e9f02';
const SOURCES = ['facebook-lead-ads', 'google-lead-form', 'partner-api', 'landing-page', 'csv-import'];
const FIRST_NAMES = ['Maria', 'James', 'Aisha', 'Wei', 'Sofia', 'Daniel', 'Priya', 'Lucas'];
const LAST_NAMES = ['Garcia', 'Johnson', 'Okafor', 'Chen', 'Rossi', 'Miller', 'Sharma', 'Dubois'];

/** A UUIDv7-shaped id that is a pure function of `n` (the bench is reproducible run to run). */
function fixedId(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0190a5b2-7c3e-7${kind.toString(16).padStart(3, '0')}-8${hex.slice(0, 3)}-${hex.padStart(12, '0')}`;
}

/** The aggregate (lead) of the i-th message: messages spread over `aggregates` keys. */
export function benchAggregateId(i: number, aggregates: number): string {
  return fixedId(1, i % aggregates);
}

/** The i-th bench event, ready for `OutboxWriter.add`. */
export function benchEvent(i: number, aggregates: number): OutgoingEvent<BenchLeadCapturedPayload> {
  const leadId = benchAggregateId(i, aggregates);
  return {
    contract: BenchLeadCaptured,
    aggregateId: leadId,
    organizationId: ORGANIZATION_ID,
    workspaceId: WORKSPACE_ID,
    correlationId: fixedId(2, i),
    payload: {
      leadId,
      sourceName: SOURCES[i % SOURCES.length],
      firstName: FIRST_NAMES[i % FIRST_NAMES.length],
      lastName: LAST_NAMES[(i >> 3) % LAST_NAMES.length],
      phoneMasked: `+1555***${String(i % 10_000).padStart(4, '0')}`,
      postalCode: String(10_000 + (i % 89_999)),
      score: i % 101,
      tags: ['inbound', i % 2 === 0 ? 'homeowner' : 'renter'],
      utmCampaign: `spring-refi-${i % 12}`,
    },
  };
}
