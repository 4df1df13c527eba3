import { IsOmittable } from '@leadflow/platform/errors';
import { PageQuery } from '@leadflow/platform/persistence';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

export const MaxStagePosition = 1000;

/** Present (even `null`): validate; absent: leave alone. For fields that cannot be cleared. */
const isPresent = (_: object, value: unknown): boolean => value !== undefined;

export class CreatePipelineStageDto {
  @IsUUID('all')
  workspaceId!: string;

  /** Unique within the workspace, case-insensitively. */
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** 1-based place in the pipeline; the stages from there on move down. Default: last. */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(MaxStagePosition)
  position?: number;

  /** Chance (0–100 %) that a lead in this stage converts; default 0. */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(100)
  winProbability?: number;
}

export class UpdatePipelineStageDto {
  @ValidateIf(isPresent)
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name?: string;

  /** `null` clears it. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** New 1-based place; the stages in between shift to make room. */
  @ValidateIf(isPresent)
  @IsInt()
  @Min(1)
  @Max(MaxStagePosition)
  position?: number;

  @ValidateIf(isPresent)
  @IsInt()
  @Min(0)
  @Max(100)
  winProbability?: number;

  /** `false` retires the stage (leads in it keep it); `true` brings it back. */
  @ValidateIf(isPresent)
  @IsBoolean()
  active?: boolean;
}

export class ListPipelineStagesQuery extends PageQuery {
  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;

  /** Also list deactivated stages (default: only active ones). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeInactive?: boolean;
}
