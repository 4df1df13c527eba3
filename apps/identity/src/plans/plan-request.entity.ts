import type { Plan } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PlanRequestStatus = 'pending' | 'approved' | 'declined';

/** An owner's request to move the organization to another plan; an operator approves or declines it. */
@Entity({ name: 'plan_requests' })
export class PlanRequestEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text', { name: 'requested_by_type' }) requestedByType!: 'user' | 'api_key';
  @Column('uuid', { name: 'requested_by_id' }) requestedById!: string;
  @Column('text', { name: 'from_plan' }) fromPlan!: Plan;
  @Column('text') plan!: Plan;
  @Column('text', { nullable: true }) note!: string | null;
  @Column('text') status!: PlanRequestStatus;
  @Column('text', { name: 'decision_reason', nullable: true }) decisionReason!: string | null;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
