import type { PageQuery } from '@leadflow/platform/persistence';
import type { SelectQueryBuilder } from 'typeorm';
import type { ListLeadsQuery } from './dto/lead.dto';
import type { LeadEntity } from './lead.entity';

/** Which leads: the filters of the lead list, which the CSV export takes too. */
export type LeadFilter = Omit<ListLeadsQuery, keyof PageQuery>;

/** Words of a search: digit runs match phones, other words match name/e-mail prefixes. */
export function searchTerms(q: string): { phoneDigits: string[]; words: string[] } {
  const phoneDigits: string[] = [];
  const words: string[] = [];
  for (const raw of q.split(/\s+/).filter(Boolean).slice(0, 8)) {
    const digits = raw.replace(/\D/g, '');
    if (digits.length >= 3 && digits.length >= raw.replace(/[\s()+.-]/g, '').length) phoneDigits.push(digits);
    else {
      const word = raw.toLowerCase().replace(/[^\p{L}\p{N}@._-]/gu, '');
      if (word) words.push(word);
    }
  }
  return { phoneDigits, words };
}

/**
 * Narrows a query over leads (alias of `qb`, already tenant-scoped) to those matching `f`: the one
 * WHERE of the lead list and the lead export. Filters combine; `q` matches name, e-mail and phone.
 */
export function whereLeadMatches(qb: SelectQueryBuilder<LeadEntity>, f: LeadFilter): void {
  const l = qb.alias;
  if (f.status !== undefined) qb.andWhere(`${l}.status = :status`, { status: f.status });
  if (f.workspaceId !== undefined)
    qb.andWhere(`${l}.workspaceId = :workspaceId`, { workspaceId: f.workspaceId });
  if (f.vertical !== undefined) qb.andWhere(`${l}.vertical = :vertical`, { vertical: f.vertical });
  if (f.providerId !== undefined) qb.andWhere(`${l}.providerId = :providerId`, { providerId: f.providerId });
  if (f.webhookId !== undefined) qb.andWhere(`${l}.webhookId = :webhookId`, { webhookId: f.webhookId });
  if (f.contactId !== undefined) qb.andWhere(`${l}.contactId = :contactId`, { contactId: f.contactId });
  if (f.stage !== undefined) qb.andWhere(`${l}.stageId = :stage`, { stage: f.stage });
  if (f.assignedTo !== undefined) qb.andWhere(`${l}.assignedTo = :assignedTo`, { assignedTo: f.assignedTo });
  if (f.tag !== undefined) qb.andWhere(`:tag = ANY(${l}.tags)`, { tag: f.tag });
  if (f.createdFrom !== undefined)
    qb.andWhere(`${l}.createdAt >= :createdFrom`, { createdFrom: f.createdFrom });
  if (f.createdTo !== undefined) qb.andWhere(`${l}.createdAt < :createdTo`, { createdTo: f.createdTo });
  if (f.q !== undefined) {
    const { phoneDigits, words } = searchTerms(f.q);
    phoneDigits.forEach((digits, i) =>
      qb.andWhere(`${l}.phone LIKE :digits${i}`, { [`digits${i}`]: `%${digits}%` }),
    );
    if (words.length > 0) {
      qb.andWhere(`${l}.search @@ to_tsquery('simple', :tsq)`, {
        tsq: words.map((w) => `'${w.replace(/'/g, "''")}':*`).join(' & '),
      });
    }
    if (phoneDigits.length === 0 && words.length === 0) qb.andWhere('false');
  }
}
