import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '@leadflow/platform/persistence';

export class ListAuditLogQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z_.]+$/, { message: 'action must be an action name such as auth.login_failed' })
  action?: string;
}
