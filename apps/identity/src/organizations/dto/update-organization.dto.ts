import { IsOmittable } from '@leadflow/platform/errors';
import type { Plan } from '@leadflow/contracts';
import { Plans } from '@leadflow/contracts';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class UpdateOrganizationDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** Changing the plan sets its monthly quotas. */
  @IsOmittable()
  @IsIn(Plans)
  plan?: Plan;
}
