import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead intake: local copies of organizations and workspaces (from identity's events), webhook
 * configs, providers, the intake request log (raw bodies), contacts, leads with their status
 * history, activities and notes, pipeline stages, and CSV imports with their rejected rows.
 */
export class IngestionTables1763900000100 implements MigrationInterface {
  name = 'IngestionTables1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion.organizations (
        id uuid PRIMARY KEY,
        plan text NOT NULL,
        quotas jsonb NOT NULL,
        status text NOT NULL,
        event_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE ingestion.workspaces (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        timezone text NOT NULL,
        status text NOT NULL,
        event_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX workspaces_org ON ingestion.workspaces (organization_id)`);

    await q.query(`
      CREATE TABLE ingestion.webhooks (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        name text NOT NULL,
        description text,
        vertical text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
        require_signature boolean NOT NULL DEFAULT false,
        require_consent boolean NOT NULL DEFAULT false,
        rate_limit integer NOT NULL DEFAULT 100 CHECK (rate_limit > 0),
        rate_window_seconds integer NOT NULL DEFAULT 60 CHECK (rate_window_seconds > 0),
        dedup_window_hours integer NOT NULL DEFAULT 720 CHECK (dedup_window_hours >= 0),
        dedup_match text[] NOT NULL DEFAULT '{external_id,phone,email}',
        dedup_scope text NOT NULL DEFAULT 'webhook' CHECK (dedup_scope IN ('webhook', 'organization')),
        field_mapping jsonb NOT NULL DEFAULT '{}',
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        created_by text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhooks_org_page ON ingestion.webhooks (organization_id, created_at, id)`);

    await q.query(`
      CREATE TABLE ingestion.providers (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL,
        company_name text,
        contact_name text,
        contact_email text,
        contact_phone text,
        notes text,
        key_hash text NOT NULL,
        key_hint text NOT NULL,
        allowed_webhook_ids uuid[] NOT NULL DEFAULT '{}',
        hourly_limit integer NOT NULL DEFAULT 1000 CHECK (hourly_limit > 0),
        cost_per_lead numeric(12, 2),
        currency char(3) NOT NULL DEFAULT 'USD',
        active boolean NOT NULL DEFAULT true,
        last_used_at timestamptz,
        created_by text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX providers_org_page ON ingestion.providers (organization_id, created_at, id)`);

    await q.query(`
      CREATE TABLE ingestion.intake_requests (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        provider_id uuid,
        outcome text NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
        http_status integer NOT NULL,
        code text,
        errors jsonb NOT NULL DEFAULT '[]',
        lead_id uuid,
        idempotency_key text,
        content_type text,
        raw_body bytea,
        ip text,
        user_agent text,
        received_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX intake_requests_webhook ON ingestion.intake_requests (webhook_id, received_at, id)`,
    );
    await q.query(
      `CREATE INDEX intake_requests_provider ON ingestion.intake_requests (provider_id, received_at) WHERE provider_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE ingestion.contacts (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        dedup_scope text NOT NULL,
        first_name text,
        last_name text,
        phone text,
        email text,
        address text,
        address2 text,
        city text,
        state text,
        zip text,
        tags text[] NOT NULL DEFAULT '{}',
        custom_fields jsonb NOT NULL DEFAULT '{}',
        merged_into_id uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX contacts_phone ON ingestion.contacts (organization_id, dedup_scope, phone)
         WHERE phone IS NOT NULL AND merged_into_id IS NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_email ON ingestion.contacts (organization_id, dedup_scope, email)
         WHERE email IS NOT NULL AND merged_into_id IS NULL`,
    );
    await q.query(`CREATE INDEX contacts_org_page ON ingestion.contacts (organization_id, created_at, id)`);

    await q.query(`
      CREATE TABLE ingestion.pipeline_stages (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        name text NOT NULL,
        description text,
        position integer NOT NULL,
        win_probability integer NOT NULL DEFAULT 0 CHECK (win_probability BETWEEN 0 AND 100),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX pipeline_stages_name ON ingestion.pipeline_stages (workspace_id, lower(name))`,
    );

    await q.query(`
      CREATE TABLE ingestion.imports (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        file_name text NOT NULL,
        file_path text NOT NULL,
        file_size bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        column_mapping jsonb NOT NULL,
        total integer,
        processed integer NOT NULL DEFAULT 0,
        accepted integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        error text,
        created_by text,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX imports_org_page ON ingestion.imports (organization_id, created_at, id)`);
    await q.query(
      `CREATE INDEX imports_unfinished ON ingestion.imports (status) WHERE status IN ('queued', 'running')`,
    );
    await q.query(`
      CREATE TABLE ingestion.import_rejections (
        import_id uuid NOT NULL REFERENCES ingestion.imports (id) ON DELETE CASCADE,
        row_number integer NOT NULL,
        organization_id uuid NOT NULL,
        errors jsonb NOT NULL,
        raw jsonb NOT NULL,
        PRIMARY KEY (import_id, row_number)
      )`);

    await q.query(`
      CREATE TABLE ingestion.leads (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES ingestion.contacts (id),
        channel text NOT NULL CHECK (channel IN ('webhook', 'import', 'api')),
        webhook_id uuid,
        provider_id uuid,
        request_id uuid,
        import_id uuid,
        import_row integer,
        source_key text NOT NULL,
        external_id text,
        idempotency_key text,
        vertical text NOT NULL,
        status text NOT NULL,
        status_reason text,
        status_changed_at timestamptz NOT NULL,
        status_changed_by text,
        duplicate_of_lead_id uuid,
        stage_id uuid REFERENCES ingestion.pipeline_stages (id),
        assigned_to uuid,
        priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
        follow_up_at timestamptz,
        tags text[] NOT NULL DEFAULT '{}',
        first_name text,
        last_name text,
        phone text,
        email text,
        address text,
        address2 text,
        city text,
        state text,
        zip text,
        attributes jsonb NOT NULL DEFAULT '{}',
        consent jsonb,
        contactable_phone boolean NOT NULL,
        contactable_sms boolean NOT NULL,
        contactable_email boolean NOT NULL,
        tracking jsonb NOT NULL DEFAULT '{}',
        cost numeric(12, 2),
        currency char(3),
        contact_attempts integer NOT NULL DEFAULT 0,
        search tsvector GENERATED ALWAYS AS (
          to_tsvector('simple',
            coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' ||
            coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(ltrim(phone, '+1'), ''))
        ) STORED,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX leads_external_id ON ingestion.leads (organization_id, source_key, external_id)
         WHERE external_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX leads_idempotency_key ON ingestion.leads (organization_id, webhook_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX leads_import_row ON ingestion.leads (import_id, import_row) WHERE import_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX leads_org_page ON ingestion.leads (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX leads_contact ON ingestion.leads (contact_id, vertical, created_at)`);
    await q.query(`CREATE INDEX leads_search ON ingestion.leads USING gin (search)`);
    await q.query(`CREATE INDEX leads_tags ON ingestion.leads USING gin (tags)`);

    await q.query(`
      CREATE TABLE ingestion.lead_status_history (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        lead_id uuid NOT NULL REFERENCES ingestion.leads (id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        reason text,
        changed_by text,
        changed_by_name text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX lead_status_history_lead ON ingestion.lead_status_history (lead_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE ingestion.lead_activities (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        lead_id uuid NOT NULL REFERENCES ingestion.leads (id) ON DELETE CASCADE,
        type text NOT NULL,
        title text NOT NULL,
        description text,
        actor_type text NOT NULL,
        actor_id text,
        actor_name text,
        metadata jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX lead_activities_lead ON ingestion.lead_activities (lead_id, occurred_at, id)`,
    );
    await q.query(`
      CREATE TABLE ingestion.lead_notes (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        lead_id uuid NOT NULL REFERENCES ingestion.leads (id) ON DELETE CASCADE,
        type text NOT NULL,
        body text NOT NULL,
        author_type text NOT NULL,
        author_id text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lead_notes_lead ON ingestion.lead_notes (lead_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'lead_notes',
      'lead_activities',
      'lead_status_history',
      'leads',
      'import_rejections',
      'imports',
      'pipeline_stages',
      'contacts',
      'intake_requests',
      'providers',
      'webhooks',
      'workspaces',
      'organizations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ingestion.${table}`);
    }
  }
}
