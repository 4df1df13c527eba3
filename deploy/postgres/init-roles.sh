#!/bin/bash
# One PostgreSQL role per service, owning the schema of the same name and nothing else: a
# service reads and migrates its own schema only (a compromised voice cannot read
# identity.signing_keys). Run by the postgres image on a fresh data volume
# (/docker-entrypoint-initdb.d); safe to run again by hand on an existing one:
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-roles.sh
# Passwords come from <SERVICE>_DB_PASSWORD (compose passes them from .env); services connect
# with DATABASE_URL=postgres://<service>:<password>@postgres:5432/leadflow.
set -euo pipefail

SERVICES=(identity ingestion enrichment campaigns voice routing analytics)
DB="${POSTGRES_DB:-leadflow}"

for service in "${SERVICES[@]}"; do
  var="${service^^}_DB_PASSWORD"
  password="${!var:-}"
  if [ -z "$password" ]; then
    echo "init-roles: $var is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "$DB" \
    -v role="$service" -v password="$password" -v db="$DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
-- no superuser, no CREATEDB/CREATEROLE, no schema of its own making; CONNECT as PUBLIC has it
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";
ALTER SCHEMA :"role" OWNER TO :"role";
REVOKE CREATE ON DATABASE :"db" FROM :"role";
SQL
done
