#!/bin/sh
# Runs once, when the postgres data volume is first initialised: the application's own role
# and database, apart from Temporal's `temporal` and `temporal_visibility` databases.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v user="$DUBAN_DB_USER" -v password="$DUBAN_DB_PASSWORD" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"user" OWNER :"user";
SQL
