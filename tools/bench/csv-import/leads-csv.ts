import { csvLine, solarLeadCsvHeader } from '@leadflow/platform/testing';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const CSV_HEADER = solarLeadCsvHeader;

/** What an import of the generated file must end with. */
export interface ExpectedCounts {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** One record with its line break. */
const csvRecord = (values: readonly string[]): string => `${csvLine(values)}\n`;

/** NANP exchanges a normalizer accepts: 200–999 without N11 codes and without 555. */
const EXCHANGES = Array.from({ length: 800 }, (_, i) => 200 + i).filter((e) => e % 100 !== 11 && e !== 555);
const AREAS = ['512', '737', '214', '469', '972', '713', '281', '832'];
const PER_AREA = EXCHANGES.length * 10_000;

/** A structurally valid US number, unique per n (7.9 million per area code). */
function phone(n: number): string {
  const area = AREAS[Math.floor(n / PER_AREA) % AREAS.length];
  const rest = n % PER_AREA;
  const exchange = String(EXCHANGES[Math.floor(rest / 10_000)]);
  const line = String(rest % 10_000).padStart(4, '0');
  return n % 3 === 0 ? `(${area}) ${exchange}-${line}` : `${area}${exchange}${line}`;
}

/**
 * Writes a solar-vendor CSV of `rows` data rows, the mix a real vendor file has: 85 % new leads
 * (every tenth without e-mail, every fifth with a note, quoted commas in addresses), 8 % repeats
 * of an earlier person with their own lead id (stored as duplicates), 2 % exact repeats of an
 * earlier row (same lead id: not stored) and 5 % refused rows (bad phone, bad e-mail, no contact
 * point, electric bill out of range).
 */
export async function writeLeadsCsv(path: string, rows: number): Promise<ExpectedCounts & { bytes: number }> {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = csvRecord(CSV_HEADER);
  const counts: ExpectedCounts = { rows, accepted: 0, duplicates: 0, rejected: 0 };
  let lastGood = 0;
  const recentGood: number[] = [];
  for (let i = 1; i <= rows; i++) {
    const k = i % 100;
    let values: string[];
    if (i <= 100 || k < 85) {
      values = [
        `First${i}`,
        `Last${i}`,
        phone(i),
        i % 10 === 0 ? '' : `lead${i}@example.com`,
        `${i} Main St, Apt ${i % 9}`,
        'Austin',
        'TX',
        '78701',
        `$${100 + (i % 400)}`,
        'good',
        `L-${i}`,
        i % 5 === 0 ? 'prefers a call after 5pm, "weekdays"' : '',
      ];
      lastGood = i;
      recentGood.push(i);
      if (recentGood.length > 50) recentGood.shift();
      counts.accepted++;
    } else if (k < 93) {
      const of = recentGood[i % recentGood.length];
      values = [`First${of}`, `Last${of}`, phone(of), '', '', '', '', '', '', '', `D-${i}`, ''];
      counts.duplicates++;
    } else if (k < 95) {
      values = [
        `First${lastGood}`,
        `Last${lastGood}`,
        phone(lastGood),
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        `L-${lastGood}`,
        '',
      ];
      counts.duplicates++;
    } else {
      const bad = [
        [`First${i}`, '', '555-12', `bad${i}@example.com`],
        [`First${i}`, '', phone(i), `not-an-email-${i}`],
        [`First${i}`, `Last${i}`, '', ''],
        [`First${i}`, '', phone(i), ''],
      ][k % 4];
      values = [...bad, '', '', '', '', k % 4 === 3 ? '250000' : '', '', `B-${i}`, ''];
      counts.rejected++;
    }
    chunk += csvRecord(values);
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { ...counts, bytes };
}
