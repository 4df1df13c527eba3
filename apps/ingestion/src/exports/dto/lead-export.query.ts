import { OmitType } from '@nestjs/swagger';
import { ListLeadsQuery } from '../../leads/dto/lead.dto';

/**
 * Which leads an export holds: the lead list's filters (all optional; the caller's workspaces only),
 * without paging. `createdTo` defaults to when the export starts.
 */
export class LeadExportQuery extends OmitType(ListLeadsQuery, ['limit', 'cursor'] as const) {}
