import { IsOmittable } from '@leadflow/platform/errors';
import { ApiHideProperty } from '@nestjs/swagger';
import type { ValidatorConstraintInterface } from 'class-validator';
import { IsNotEmpty, IsString, MaxLength, Validate, ValidatorConstraint } from 'class-validator';

/** Where an owner asks for another plan (the operator decides). */
export const PLAN_REQUESTS_ROUTE = 'POST /api/v1/organizations/current/plan-requests';

/** A `plan` sent to the owner's PATCH is refused, whatever its value: plans are the operator's. */
@ValidatorConstraint({ name: 'changedByOperator' })
export class ChangedByOperatorRule implements ValidatorConstraintInterface {
  validate(): boolean {
    return false;
  }
  defaultMessage(): string {
    return `plan is changed by the operator; request a change with ${PLAN_REQUESTS_ROUTE}`;
  }
}

export class UpdateOrganizationDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** Not writable here: declared only so that sending it answers 422 with the way to ask for it. */
  @ApiHideProperty()
  @IsOmittable()
  @Validate(ChangedByOperatorRule)
  plan?: never;
}
