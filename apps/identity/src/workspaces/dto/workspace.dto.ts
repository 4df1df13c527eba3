import { IsOmittable } from '@leadflow/platform/errors';
import type { WorkspaceKind, WorkspacePayload } from '@leadflow/contracts';
import { WorkspaceKinds } from '@leadflow/contracts';
import { IsIn, IsNotEmpty, IsString, MaxLength, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { Validate } from 'class-validator';
import { PageQuery } from '@leadflow/platform/persistence';
import type { WorkspaceEntity, WorkspaceStatus } from '../workspace.entity';
import { isIanaTimeZone } from '@leadflow/normalization';

@ValidatorConstraint({ name: 'isTimeZone' })
export class IsTimeZoneRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isIanaTimeZone(value);
  }
  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as America/New_York';
  }
}

export class CreateWorkspaceDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(WorkspaceKinds)
  kind!: WorkspaceKind;

  @IsOmittable()
  @IsString()
  @MaxLength(64)
  @Validate(IsTimeZoneRule)
  timezone?: string;
}

export class UpdateWorkspaceDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(64)
  @Validate(IsTimeZoneRule)
  timezone?: string;

  @IsOmittable()
  @IsIn(['active', 'archived'])
  status?: WorkspaceStatus;
}

export class ListWorkspacesQuery extends PageQuery {}

export type WorkspaceView = WorkspacePayload & { createdAt: string; updatedAt: string };

export function workspacePayload(w: WorkspaceEntity): WorkspacePayload {
  return {
    id: w.id,
    organizationId: w.organizationId,
    name: w.name,
    kind: w.kind,
    timezone: w.timezone,
    status: w.status,
  };
}

export function toWorkspaceView(w: WorkspaceEntity): WorkspaceView {
  return {
    ...workspacePayload(w),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}
