import { parse } from 'csv-parse/sync';
import { PassThrough } from 'node:stream';
import type { LeadCsvSource } from './lead-csv';
import { LeadCsvColumns, toLeadCsvRecord, writeLeadCsv } from './lead-csv';

function lead(fields: Partial<LeadCsvSource> = {}): LeadCsvSource {
  return {
    id: '0190a1b2-0000-7000-8000-000000000001',
    createdAt: new Date('2025-03-01T12:00:00.000Z'),
    status: 'new',
    vertical: 'solar',
    workspaceId: '0190a1b2-0000-7000-8000-0000000000aa',
    providerId: null,
    webhookId: '0190a1b2-0000-7000-8000-0000000000bb',
    externalId: null,
    firstName: 'Ann',
    lastName: 'Lee',
    phone: '+15551234567',
    email: 'ann@example.com',
    address: null,
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    tags: ['vip', 'hot'],
    priority: 3,
    cost: '12.50',
    currency: 'USD',
    consent: { granted: true } as LeadCsvSource['consent'],
    contactablePhone: true,
    contactableSms: false,
    contactableEmail: true,
    tracking: { utmSource: 'google', utmMedium: null, utmCampaign: 'spring' } as LeadCsvSource['tracking'],
    ...fields,
  };
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('lead CSV', () => {
  it('maps a lead to its columns, in order', () => {
    const record = toLeadCsvRecord(lead());
    expect(record).toHaveLength(LeadCsvColumns.length);
    const row = Object.fromEntries(LeadCsvColumns.map((c, i) => [c, record[i]]));
    expect(row).toMatchObject({
      createdAt: '2025-03-01T12:00:00.000Z',
      phone: '+15551234567',
      providerId: '',
      tags: 'vip;hot',
      cost: '12.50',
      consentGranted: 'true',
      contactableSms: 'false',
      utmSource: 'google',
      utmMedium: '',
      utmCampaign: 'spring',
    });
  });

  it('writes a header and quoted, injection-safe rows', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const evil = lead({ firstName: '=cmd|" /C calc"!A0', lastName: 'O"Brien, Jr.', consent: null });
    await writeLeadCsv(from([toLeadCsvRecord(lead()), toLeadCsvRecord(evil)]), out);
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0] ?? {})).toEqual([...LeadCsvColumns]);
    expect(rows[1]).toMatchObject({
      firstName: `'=cmd|" /C calc"!A0`,
      lastName: 'O"Brien, Jr.',
      consentGranted: 'false',
    });
  });
});
