#!/usr/bin/env bash
# Makes sure a PostgreSQL server is there for the server's tests, and exports its URL as
# COMPTOIR_TEST_POSTGRES. Sourced by test.sh after setup.sh (which defines `say`).
#
# - COMPTOIR_TEST_POSTGRES already set: used as it is (a role that may create databases).
# - else the local server on 127.0.0.1:5432 with the `postgres` role, if it lets us in;
# - else, as root: installs Debian's postgresql, starts it, and makes a `comptoir_test` role.
# The tests never skip PostgreSQL: without a server they fail and say so.

pg_works() { psql "$1" -tAc 'select 1' >/dev/null 2>&1; }

need_postgres() {
  if [ -n "${COMPTOIR_TEST_POSTGRES:-}" ]; then
    pg_works "$COMPTOIR_TEST_POSTGRES" || { say "COMPTOIR_TEST_POSTGRES=$COMPTOIR_TEST_POSTGRES does not answer"; exit 1; }
    return 0
  fi
  local local_url="postgres://postgres@127.0.0.1:5432/postgres"
  local own_url="postgres://comptoir_test:comptoir_test@127.0.0.1:5432/postgres"
  if command -v psql >/dev/null && pg_works "$local_url"; then
    export COMPTOIR_TEST_POSTGRES="$local_url"; return 0
  fi
  if command -v psql >/dev/null && pg_works "$own_url"; then
    export COMPTOIR_TEST_POSTGRES="$own_url"; return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "the server's tests need PostgreSQL on 127.0.0.1:5432 and none answers"
    say "install and start one (sudo apt-get install -y postgresql), or set COMPTOIR_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:PORT/postgres (a role that may create databases)"
    exit 1
  fi
  if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
    say "installing PostgreSQL for the server's tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  if pg_works "$local_url"; then
    export COMPTOIR_TEST_POSTGRES="$local_url"; return 0
  fi
  say "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster "$version" main start 2>/dev/null || true
  else
    service postgresql start >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  su postgres -c "psql -q -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'comptoir_test') THEN CREATE ROLE comptoir_test LOGIN CREATEDB SUPERUSER PASSWORD 'comptoir_test'; END IF; END \\\$\\\$\"" >/dev/null
  if pg_works "$own_url"; then
    export COMPTOIR_TEST_POSTGRES="$own_url"; return 0
  fi
  say "PostgreSQL was installed but does not answer on 127.0.0.1:5432: see 'pg_lsclusters' and its log"
  exit 1
}
