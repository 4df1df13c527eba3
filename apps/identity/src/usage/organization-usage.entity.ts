import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What an organization used in one calendar month (UTC). Counters are bigint: read as strings. */
@Entity({ name: 'organization_usage' })
export class OrganizationUsageEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' }) organizationId!: string;
  /** First day of the month, `YYYY-MM-01`. */
  @PrimaryColumn('date') period!: string;
  @Column('bigint') leads!: string;
  @Column('bigint') enrichments!: string;
  @Column('bigint') emails!: string;
  @Column('bigint') sms!: string;
  @Column('bigint', { name: 'call_minutes' }) callMinutes!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
