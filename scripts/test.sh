#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs Debian's PostgreSQL and Chromium (when root and
# missing), installs peacewatch with its extras, runs the packaging smoke test (a wheel installed
# non-editable into a fresh virtualenv, run from another directory), starts a throw-away PostgreSQL on
# 127.0.0.1 for the registry's PostgreSQL run, then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[all]'

# The wheel must work on its own before the suite runs against the checkout.
bash scripts/smoke_wheel.sh

# A private PostgreSQL cluster for the tests, stopped again on exit.
pg_stop() { :; }
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$initdb" ] && [ -z "${PEACEWATCH_TEST_PG_URL:-}" ]; then
  pgbin=$(dirname "$initdb")
  pgroot=$(mktemp -d /tmp/peacewatch-pg.XXXXXX)
  pgport=${PEACEWATCH_TEST_PG_PORT:-54329}
  run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$pgroot"
  run_pg "$pgbin/initdb -D $pgroot/data -A trust -U postgres" >/dev/null
  # The registry tests open many short-lived engines (each CLI call, each app); 100 connections is too few.
  run_pg "$pgbin/pg_ctl -D $pgroot/data -o '-h 127.0.0.1 -p $pgport -k $pgroot -c max_connections=500' -l $pgroot/log -w start" >/dev/null
  pg_stop() { run_pg "$pgbin/pg_ctl -D $pgroot/data -m fast -w stop" >/dev/null 2>&1 || true; rm -rf "$pgroot"; }
  export PEACEWATCH_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$pgport/postgres"
fi
trap pg_stop EXIT

python3 -m pytest "$@"
