// The database-only baseline of the intake bench: pgbench running intake's write transaction
// (contact upsert + lead insert + outbox insert) on copies of ingestion's tables in a scratch
// schema of the same database, with values of the same shapes and sizes as the leads the HTTP
// phases stored.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantile } from './load.mjs';

export const SCRATCH = 'intake_pgbench';

/** pgbench on PATH, else in `pg_config --bindir`, else under /usr/lib/postgresql/<version>/bin. */
export function findPgbench() {
  const which = spawnSync('which', ['pgbench'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const bindir = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (bindir.status === 0 && existsSync(join(bindir.stdout.trim(), 'pgbench')))
    return join(bindir.stdout.trim(), 'pgbench');
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
      const candidate = join(root, version, 'bin/pgbench');
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * A SQL string literal pgbench leaves alone: pgbench turns every `:name` in a script into a
 * variable, and JSON is full of `"key":value`, so colons are written as the escape `\x3a`.
 */
function literal(text) {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
}

/**
 * Copies ingestion's contacts, leads and outbox into the scratch schema (columns, defaults, CHECKs,
 * the generated search column, indexes; the leads → contacts foreign key; the outbox's own sequence
 * and NOTIFY trigger). The upsert needs a unique index: the copied (organization_id, dedup_scope,
 * phone) index is replaced by a unique one of the same columns and predicate, so the index count
 * matches ingestion's.
 */
export async function prepareScratchSchema(db) {
  await db.query(`DROP SCHEMA IF EXISTS ${SCRATCH} CASCADE`);
  await db.query(`CREATE SCHEMA ${SCRATCH}`);
  for (const table of ['contacts', 'leads', 'outbox']) {
    await db.query(`CREATE TABLE ${SCRATCH}.${table} (LIKE ingestion.${table} INCLUDING ALL)`);
  }
  const { rows } = await db.query(
    `SELECT indexname FROM pg_indexes
      WHERE schemaname = $1 AND tablename = 'contacts' AND indexdef LIKE '%(organization_id, dedup_scope, phone)%'`,
    [SCRATCH],
  );
  for (const { indexname } of rows) await db.query(`DROP INDEX ${SCRATCH}."${indexname}"`);
  await db.query(
    `CREATE UNIQUE INDEX contacts_phone_unique ON ${SCRATCH}.contacts (organization_id, dedup_scope, phone)
       WHERE phone IS NOT NULL AND merged_into_id IS NULL`,
  );
  await db.query(
    `ALTER TABLE ${SCRATCH}.leads ADD FOREIGN KEY (contact_id) REFERENCES ${SCRATCH}.contacts (id)`,
  );
  await db.query(`CREATE SEQUENCE ${SCRATCH}.outbox_seq OWNED BY ${SCRATCH}.outbox.seq`);
  await db.query(
    `ALTER TABLE ${SCRATCH}.outbox ALTER COLUMN seq SET DEFAULT nextval('${SCRATCH}.outbox_seq')`,
  );
  await db.query(`
    CREATE FUNCTION ${SCRATCH}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${SCRATCH}_outbox', '');
      RETURN NULL;
    END $$`);
  await db.query(
    `CREATE TRIGGER outbox_notify AFTER INSERT ON ${SCRATCH}.outbox FOR EACH STATEMENT EXECUTE FUNCTION ${SCRATCH}.outbox_notify()`,
  );
  // Time-ordered ids, like the service's uuidv7 (random v4 ids would make the baseline's index
  // inserts more expensive than the service's).
  await db.query(`
    CREATE FUNCTION ${SCRATCH}.uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
      SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
              || substr(md5(random()::text), 1, 3) || to_hex(8 + floor(random() * 4)::int)
              || substr(md5(random()::text), 1, 15))::uuid
    $$`);
  await db.query(`CREATE SEQUENCE ${SCRATCH}.lead_seq`);
}

/**
 * The pgbench script: one transaction per lead, the shape the issue names — the contact
 * (upserted on its phone), the lead (all 39 columns, the stored JSON of a real lead of this run),
 * and its two outbox events (contact.created and lead.created, the stored values of a real pair).
 * Each transaction's phone and e-mail are new (a sequence), so every upsert inserts, like intake's
 * distinct leads.
 */
export async function writeScript(db, { file, webhookId }) {
  const lead = await db.query(
    `SELECT organization_id, workspace_id, webhook_id, provider_id, source_key, vertical, attributes::text AS attributes,
            consent::text AS consent, tracking::text AS tracking, cost::text AS cost, currency
       FROM ingestion.leads WHERE webhook_id = $1 ORDER BY created_at DESC LIMIT 1`,
    [webhookId],
  );
  if (lead.rows.length === 0) throw new Error('no lead stored by the HTTP phases to copy the shape of');
  const l = lead.rows[0];
  const events = await db.query(
    `SELECT DISTINCT ON (type) type, topic, value, headers::text AS headers FROM ingestion.outbox
      WHERE type IN ('contact.created', 'lead.created') ORDER BY type, seq DESC`,
  );
  const event = Object.fromEntries(events.rows.map((r) => [r.type, r]));
  if (!event['contact.created'] || !event['lead.created'])
    throw new Error('no contact.created/lead.created rows to copy');
  const uuid = (v) => (v === null ? 'NULL' : `'${v}'::uuid`);
  const text = (v) => (v === null ? 'NULL' : literal(v));
  const scope = `webhook:${l.webhook_id}`;
  const script = `
BEGIN;
INSERT INTO ${SCRATCH}.contacts (id, organization_id, workspace_id, dedup_scope, first_name, last_name, phone, email,
    address, address2, city, state, zip, created_at, updated_at)
  SELECT ${SCRATCH}.uuid7(), ${uuid(l.organization_id)}, ${uuid(l.workspace_id)}, ${literal(scope)}, 'Bench', 'Lead ' || n,
    '+1415' || lpad(n::text, 7, '0'), 'bench.pgbench.' || n || '@example.com', '1 Market St', NULL, 'San Francisco',
    'CA', '94103', now(), now()
  FROM (SELECT nextval('${SCRATCH}.lead_seq') AS n) AS next
  ON CONFLICT (organization_id, dedup_scope, phone) WHERE phone IS NOT NULL AND merged_into_id IS NULL
  DO UPDATE SET updated_at = excluded.updated_at
  RETURNING id AS contact_id, first_name, last_name, phone, email \\gset
INSERT INTO ${SCRATCH}.leads (id, organization_id, workspace_id, contact_id, channel, webhook_id, provider_id,
    request_id, import_id, import_row, source_key, external_id, idempotency_key, vertical, status,
    status_reason, status_changed_at, duplicate_of_lead_id, priority, tags, first_name, last_name, phone,
    email, address, address2, city, state, zip, attributes, consent, contactable_phone, contactable_sms,
    contactable_email, tracking, cost, currency, created_at, updated_at)
  VALUES (${SCRATCH}.uuid7(), ${uuid(l.organization_id)}, ${uuid(l.workspace_id)}, :contact_id, 'webhook',
    ${uuid(l.webhook_id)}, ${uuid(l.provider_id)}, ${SCRATCH}.uuid7(), NULL, NULL, ${text(l.source_key)},
    'bench-pgbench-' || :phone, NULL, ${text(l.vertical)}, 'new', NULL, now(), NULL, 3, '{}', :first_name,
    :last_name, :phone, :email, '1 Market St', NULL, 'San Francisco', 'CA', '94103', ${text(l.attributes)},
    ${text(l.consent)}, true, true, true, ${text(l.tracking)}, ${text(l.cost)}, ${text(l.currency)}, now(), now())
  RETURNING id AS lead_id \\gset
INSERT INTO ${SCRATCH}.outbox (id, topic, message_key, type, value, headers) VALUES
  (${SCRATCH}.uuid7(), ${literal(event['contact.created'].topic)}, :contact_id, 'contact.created',
    ${literal(event['contact.created'].value)}, ${literal(event['contact.created'].headers)}),
  (${SCRATCH}.uuid7(), ${literal(event['lead.created'].topic)}, :lead_id, 'lead.created',
    ${literal(event['lead.created'].value)}, ${literal(event['lead.created'].headers)});
COMMIT;
`;
  writeFileSync(file, script);
  return {
    leadJsonBytes:
      Buffer.byteLength(l.attributes) + Buffer.byteLength(l.consent ?? '') + Buffer.byteLength(l.tracking),
    eventBytes:
      Buffer.byteLength(event['contact.created'].value) + Buffer.byteLength(event['lead.created'].value),
  };
}

/**
 * Runs pgbench under bash's `time`, whose last line (`CPU <user> <system>`) gives pgbench's own CPU
 * seconds: the client side of the baseline, as the bench's own CPU is the client side of the HTTP phases.
 */
function execPgbench(pgbench, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'TIMEFORMAT="CPU %3U %3S"; time "$0" "$@"', pgbench, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c.toString()));
    child.stderr.on('data', (c) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pgbench exited with ${code}:\n${out.slice(-4000)}`)),
    );
  });
}

/**
 * Runs the script for `seconds` with `clients` connections (extended protocol, like the pg driver's
 * parameterized queries; threads = min(clients, cores)). Latencies come from pgbench's per-transaction
 * log (`-l`): transaction time in µs.
 */
export async function runPgbench({ pgbench, databaseUrl, script, clients, threads, seconds, logDir }) {
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const prefix = join(logDir, 'tx');
  const out = await execPgbench(pgbench, [
    '-n',
    '-M',
    'extended',
    '-c',
    String(clients),
    '-j',
    String(threads),
    '-T',
    String(seconds),
    '-f',
    script,
    '-l',
    `--log-prefix=${prefix}`,
    databaseUrl,
  ]);
  const latencies = [];
  let failed = 0;
  for (const name of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const time = line.split(' ')[2];
      if (/^\d+$/.test(time)) latencies.push(Number(time) / 1000);
      else failed++;
    }
  }
  latencies.sort((a, b) => a - b);
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  return {
    perSecond: tps,
    created: latencies.length,
    errors: Math.max(failed, Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0)),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    clientCpu: (([, user, system]) => Number(user) + Number(system))(
      /CPU ([\d.]+) ([\d.]+)\s*$/.exec(out) ?? [],
    ),
    output: out,
  };
}
