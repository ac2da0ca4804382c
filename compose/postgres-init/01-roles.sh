#!/usr/bin/env bash
# Creates the PRM roles and database. The postgres image runs the files in
# /docker-entrypoint-initdb.d only when it initialises an empty data volume; later starts
# skip them, so changing a password afterwards takes ALTER ROLE (docs/deployment.md).
#
#   prm_owner  owns database prm and, through migrations, every table in it.
#   prm_app    what web, worker and beat connect as: owns nothing, not a superuser, cannot
#              bypass row-level security. `migrate` grants it table access (prm/rls.py).
set -e

if [ -z "$POSTGRES_OWNER_PASSWORD" ] || [ -z "$POSTGRES_APP_PASSWORD" ]; then
    echo "01-roles.sh: POSTGRES_OWNER_PASSWORD and POSTGRES_APP_PASSWORD must be set" >&2
    exit 1
fi

# Passwords travel as psql variables and are quoted by psql (:'name'), not by the shell.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$POSTGRES_OWNER_PASSWORD" \
    -v app_password="$POSTGRES_APP_PASSWORD" <<'EOSQL'
CREATE ROLE prm_owner LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE prm_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
    PASSWORD :'app_password';
CREATE DATABASE prm OWNER prm_owner;
REVOKE ALL ON DATABASE prm FROM PUBLIC;
GRANT CONNECT ON DATABASE prm TO prm_app;
EOSQL
