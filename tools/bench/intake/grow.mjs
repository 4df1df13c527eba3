// Grows the bench database to a customer base of a given size before intake is measured again:
// N leads, their contacts and their request-log rows, spread over organizations as production
// is (the bench's own organization is the largest customer, holding a fifth of everything; the
// rest is spread evenly over the others). Untimed. Rows are generated in PostgreSQL from the
// bench's own stored rows (so every column has the shape intake writes), with the secondary
// indexes and the leads→contacts key dropped for the load and built again afterwards, as a bulk
// load is done in production; then VACUUM ANALYZE, so that neither autovacuum nor stale
// statistics land in the measured phase.
import { randomUUID } from 'node:crypto';

const TABLES = ['ingestion.contacts', 'ingestion.leads', 'ingestion.intake_requests'];

/** The secondary indexes (and the foreign key) of the tables, to drop and rebuild. */
async function secondaryIndexes(db) {
  const { rows } = await db.query(
    `SELECT i.schemaname || '.' || quote_ident(i.indexname) AS name, i.indexdef AS definition
       FROM pg_indexes i
       JOIN pg_class c ON c.relname = i.indexname
       JOIN pg_index x ON x.indexrelid = c.oid
      WHERE i.schemaname || '.' || i.tablename = ANY($1) AND NOT x.indisprimary`,
    [TABLES],
  );
  return rows;
}

/**
 * Adds `leads` leads (one per `leads / contacts` of a contact), `contacts` contacts and one
 * request-log row per lead (with the template's raw body, received in the last 29 days so the
 * pruner leaves them) over `organizations` organizations. `log` reports progress.
 */
export async function growDatabase(db, { organizationId, workspaceId, leads, contacts, organizations, log }) {
  const started = Date.now();
  const orgs = [organizationId, ...Array.from({ length: organizations - 1 }, () => randomUUID())];
  const workspaces = [workspaceId, ...Array.from({ length: organizations - 1 }, () => randomUUID())];
  // Contact j (1-based) belongs to org 0 when j % 5 = 0, else to org 1 + j % (organizations − 1).
  const orgOf = (j) => `(CASE WHEN ${j} % 5 = 0 THEN 1 ELSE 2 + ${j} % ${organizations - 1} END)`;
  const contactId = (j) => `md5('grow-contact-' || ${j})::uuid`;
  const leadId = (i) => `md5('grow-lead-' || ${i})::uuid`;
  // The bench's organization posts through the bench's webhook and provider; the others through
  // one webhook each, without a provider key.
  const webhookOf = (j, own) =>
    `CASE WHEN ${orgOf(j)} = 1 THEN ${own} ELSE md5('grow-webhook-' || ${orgOf(j)})::uuid END`;
  const providerOf = (j, own) => `CASE WHEN ${orgOf(j)} = 1 THEN ${own} END`;
  const chunk = 1_000_000;

  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query(`SET synchronous_commit = off`);
  const indexes = await secondaryIndexes(db);
  log(`dropping ${indexes.length} secondary indexes and the leads→contacts key for the load`);
  await db.query('ALTER TABLE ingestion.leads DROP CONSTRAINT leads_contact_id_fkey');
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);

  const insertChunks = async (what, total, insert) => {
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await insert(from, to);
      log(`  ${what}: ${to.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
    }
  };
  await insertChunks('contacts', contacts, (from, to) =>
    db.query(
      `INSERT INTO ingestion.contacts (id, organization_id, workspace_id, dedup_scope, first_name, last_name,
           phone, email, address, address2, city, state, zip, tags, custom_fields, merged_into_id, created_at, updated_at)
         SELECT ${contactId('g')}, ($1::uuid[])[${orgOf('g')}], ($2::uuid[])[${orgOf('g')}], t.dedup_scope,
                t.first_name, 'Grown ' || g, '+1212' || (2000000 + g)::text, 'grown.' || g || '@example.com',
                t.address, t.address2, t.city, t.state, t.zip, t.tags, t.custom_fields, NULL,
                now() - (g % 365) * interval '1 day', now() - (g % 365) * interval '1 day'
           FROM (SELECT * FROM ingestion.contacts WHERE organization_id = ($1::uuid[])[1] LIMIT 1) t,
                generate_series($3::int, $4::int) AS g`,
      [orgs, workspaces, from, to],
    ),
  );
  await insertChunks('leads', leads, (from, to) =>
    db.query(
      `INSERT INTO ingestion.leads (id, organization_id, workspace_id, contact_id, channel, webhook_id, provider_id,
           request_id, import_id, import_row, source_key, external_id, idempotency_key, vertical, status, status_reason,
           status_changed_at, status_changed_by, duplicate_of_lead_id, stage_id, assigned_to, priority, follow_up_at, tags,
           first_name, last_name, phone, email, address, address2, city, state, zip, attributes, consent,
           contactable_phone, contactable_sms, contactable_email, tracking, cost, currency, contact_attempts,
           created_at, updated_at)
         SELECT ${leadId('g')}, ($1::uuid[])[${orgOf('c.j')}], ($2::uuid[])[${orgOf('c.j')}], ${contactId('c.j')},
                t.channel, ${webhookOf('c.j', 't.webhook_id')}, ${providerOf('c.j', 't.provider_id')}, NULL, NULL, NULL, t.source_key, 'grown-' || g, NULL,
                t.vertical, t.status, t.status_reason, t.status_changed_at, t.status_changed_by, NULL, NULL, NULL,
                t.priority, NULL, t.tags, t.first_name, 'Grown ' || c.j, '+1212' || (2000000 + c.j)::text,
                'grown.' || c.j || '@example.com', t.address, t.address2, t.city, t.state, t.zip, t.attributes,
                t.consent, t.contactable_phone, t.contactable_sms, t.contactable_email, t.tracking, t.cost,
                t.currency, 0, now() - (g % 365) * interval '1 day', now() - (g % 365) * interval '1 day'
           FROM (SELECT * FROM ingestion.leads WHERE organization_id = ($1::uuid[])[1] LIMIT 1) t,
                generate_series($3::int, $4::int) AS g,
                LATERAL (SELECT 1 + (g - 1) % $5::int AS j) c`,
      [orgs, workspaces, from, to, contacts],
    ),
  );
  await insertChunks('request log', leads, (from, to) =>
    db.query(
      `INSERT INTO ingestion.intake_requests (id, organization_id, workspace_id, webhook_id, provider_id, outcome,
           http_status, code, errors, lead_id, idempotency_key, content_type, raw_body, ip, user_agent, received_at,
           raw_body_bytes)
         SELECT md5('grow-request-' || g)::uuid, ($1::uuid[])[${orgOf('c.j')}], ($2::uuid[])[${orgOf('c.j')}],
                ${webhookOf('c.j', 't.webhook_id')}, ${providerOf('c.j', 't.provider_id')}, t.outcome, t.http_status, t.code, t.errors, ${leadId('g')}, NULL,
                t.content_type, t.raw_body, t.ip, t.user_agent, now() - (g % 29) * interval '1 day' - interval '1 hour',
                t.raw_body_bytes
           FROM (SELECT * FROM ingestion.intake_requests WHERE organization_id = ($1::uuid[])[1] AND lead_id IS NOT NULL LIMIT 1) t,
                generate_series($3::int, $4::int) AS g,
                LATERAL (SELECT 1 + (g - 1) % $5::int AS j) c`,
      [orgs, workspaces, from, to, contacts],
    ),
  );

  log('building the indexes and the leads→contacts key again');
  for (const index of indexes) await db.query(index.definition);
  await db.query(
    'ALTER TABLE ingestion.leads ADD CONSTRAINT leads_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES ingestion.contacts(id)',
  );
  log('VACUUM ANALYZE');
  for (const table of TABLES) await db.query(`VACUUM ANALYZE ${table}`);
  await db.query('RESET synchronous_commit');
  await db.query('RESET maintenance_work_mem');
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM ingestion.leads)::bigint AS leads,
            (SELECT count(*) FROM ingestion.contacts)::bigint AS contacts,
            pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  return { ...rows[0], seconds: (Date.now() - started) / 1000 };
}
