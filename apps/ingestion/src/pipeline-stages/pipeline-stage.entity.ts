import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A step of a workspace's sales pipeline, ordered by position, with the chance of a win. */
@Entity({ name: 'pipeline_stages' })
export class PipelineStageEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('integer') position!: number;
  @Column('integer', { name: 'win_probability' }) winProbability!: number;
  @Column('boolean') active!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
