#!/usr/bin/env bash
# Make a throwaway PostGIS database for the test suite and print the line that points the tests at it:
#   eval "$(bash scripts/ci-postgis.sh)"      # sets and exports OCCURRENCES_TEST_POSTGIS_URL
# Installs postgresql-15-postgis-3 if missing and starts the local cluster if it is not running. Messages go
# to stderr; stdout carries only the export line. Exits non-zero (printing nothing) when no server can be had.
# Environment: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), OCCURRENCES_TEST_DB (name).
set -uo pipefail

host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"
user="${PGUSER:-postgres}"
db="${OCCURRENCES_TEST_DB:-occurrences_test}"  # each test makes and drops its own schema in it
say() { echo "ci-postgis: $*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  say "installing postgresql-15-postgis-3"
  $SUDO apt-get update -qq >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=300 postgresql-15-postgis-3 >&2 || { say "could not install PostGIS"; exit 1; }
fi

if ! pg_isready -q -h "$host" -p "$port"; then
  say "starting PostgreSQL 15 cluster 'main'"
  $SUDO pg_ctlcluster --skip-systemctl-redirect 15 main start >&2 || true
  for _ in $(seq 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
  pg_isready -q -h "$host" -p "$port" || { say "no PostgreSQL server on $host:$port"; exit 1; }
fi

psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" "$@" >&2; }
exists=$(psql -X -At -h "$host" -p "$port" -U "$user" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null)
if [ "$exists" != 1 ] && ! psql_ -d postgres -c "CREATE DATABASE \"$db\""; then
  say "could not create database $db as $user on $host:$port"; exit 1
fi
psql_ -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" || { say "could not create the postgis extension"; exit 1; }
say "database $db ready (drop it with: dropdb -h $host -p $port -U $user $db)"
echo "export OCCURRENCES_TEST_POSTGIS_URL=postgresql://$user@$host:$port/$db"
