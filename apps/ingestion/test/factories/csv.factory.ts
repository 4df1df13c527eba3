import { csvLine, solarLeadCsvHeader } from '@leadflow/platform/testing';

/** The columns of a solar vendor's lead CSV, as the imports spec and a tenant's file have them. */
export const HEADER: readonly string[] = solarLeadCsvHeader;

export type Kind = 'good' | 'dup' | 'repeat' | 'bad_phone' | 'bad_email' | 'no_contact' | 'out_of_range';

/** A structurally valid US number, unique per (block, n), written the way vendors write them. */
export function phone(block: number, n: number, style = n): { text: string; e164: string } {
  const digits = `${block}${String(2_000_000 + n).padStart(7, '0')}`;
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  const text = [`(${a}) ${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `${a}${b}${c}`][style % 4];
  return { text, e164: `+1${digits}` };
}

export { csvLine };

export interface GeneratedRow {
  kind: Kind;
  values: string[];
  /** For a duplicate: the row whose lead it duplicates; for a repeat: the row it repeats. */
  of?: number;
}

/**
 * A CSV of `rows` data rows: mostly good leads (unique phone, e-mail and lead id; every seventh
 * without e-mail), duplicates of earlier good rows (same phone, same vertical, own lead id — the
 * first of those for a row without e-mail fills it in), exact repeats of earlier good rows (same
 * lead id: replayed, not stored) and bad rows of four kinds. Quoted commas, quotes and newlines
 * inside fields included.
 */
export function generate(rows: number, block: number): { csv: Buffer; rows: GeneratedRow[] } {
  const out: GeneratedRow[] = [];
  const lines = [csvLine(HEADER)];
  const goods: number[] = [];
  for (let i = 1; i <= rows; i++) {
    const k = i % 20;
    let kind: Kind;
    if (i <= 40 || k < 14) kind = 'good';
    else if (k < 16) kind = 'dup';
    else if (k === 16) kind = 'repeat';
    else if (k === 17) kind = 'bad_phone';
    else if (k === 18) kind = 'bad_email';
    else kind = Math.floor(i / 20) % 2 === 0 ? 'no_contact' : 'out_of_range';
    let row: GeneratedRow;
    switch (kind) {
      case 'good': {
        const notes =
          i % 97 === 0 ? `called twice, "no answer"\nleft voicemail` : i % 5 === 0 ? 'prefers email' : '';
        row = {
          kind,
          values: [
            `First${i}`,
            `Last${i}`,
            phone(block, i).text,
            i % 7 === 0 ? '' : `lead${i}@example.com`,
            `${i} Main St, Apt ${i % 9}`,
            'Austin',
            'TX',
            '78701',
            `$${100 + (i % 400)}`,
            'good',
            `L-${i}`,
            notes,
          ],
        };
        goods.push(i);
        break;
      }
      case 'dup': {
        const of = goods[goods.length - 1 - (i % 50)];
        row = {
          kind,
          of,
          values: [
            `First${of}`,
            `Last${of}`,
            phone(block, of, i).text,
            `dup${i}@example.com`,
            '',
            '',
            '',
            '',
            '',
            '',
            `D-${i}`,
            '',
          ],
        };
        break;
      }
      case 'repeat': {
        const of = goods[goods.length - 1 - (i % 30)];
        row = { kind, of, values: [...out[of - 1].values] };
        break;
      }
      case 'bad_phone':
        row = {
          kind,
          values: [`First${i}`, '', '555-12', `bad${i}@example.com`, '', '', '', '', '', '', `B-${i}`, ''],
        };
        break;
      case 'bad_email':
        row = {
          kind,
          values: [
            `First${i}`,
            '',
            phone(block, i).text,
            `not-an-email-${i}`,
            '',
            '',
            '',
            '',
            '',
            '',
            `B-${i}`,
            '',
          ],
        };
        break;
      case 'no_contact':
        row = {
          kind,
          values: [`First${i}`, `Last${i}`, '', '', '', 'Austin', 'TX', '', '', '', `B-${i}`, ''],
        };
        break;
      case 'out_of_range':
        row = {
          kind,
          values: [`First${i}`, '', phone(block, i).text, '', '', '', '', '', '250000', '', `B-${i}`, ''],
        };
        break;
    }
    out.push(row);
    lines.push(csvLine(row.values));
  }
  return { csv: Buffer.from(`${lines.join('\r\n')}\r\n`), rows: out };
}
