import { PageQuery } from '@leadflow/platform/persistence';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** `GET …/audit-log`: `limit` and `cursor` (PageQuery) and an optional action name. */
export class AuditLogQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z_.]+$/, { message: 'action must be an action name such as auth.login_failed' })
  action?: string;
}
