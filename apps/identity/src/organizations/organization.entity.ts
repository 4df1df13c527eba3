import type { Plan, PlanQuotas } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') slug!: string;
  @Column('text') plan!: Plan;
  @Column('jsonb') quotas!: PlanQuotas;
  @Column('text') status!: 'active' | 'suspended';
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
