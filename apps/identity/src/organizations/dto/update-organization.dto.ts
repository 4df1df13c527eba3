import type { Plan } from '@leadflow/contracts';
import { Plans } from '@leadflow/contracts';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class UpdateOrganizationDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** Changing the plan sets its monthly quotas. */
  @IsOptional()
  @IsIn(Plans)
  plan?: Plan;
}
