#!/usr/bin/env bash
# The API contract: schemathesis against the portal in production mode (gunicorn, PostgreSQL,
# Redis, the demo data), with every check on, as two demo users: a state admin (who may do
# everything the API offers) and an agency IPS supervisor (who meets the 403s and 404s of
# someone with less). Any failure fails the script.
#
#   scripts/api_contract.sh
#
# Needs .venv (make venv), a PostgreSQL server and a Redis server. Settings (defaults):
#   CONTRACT_PG_URL        postgres://postgres@127.0.0.1:5432   server; database
#                          ipsportal_api_contract is dropped and created afresh
#   CONTRACT_REDIS_URL     redis://127.0.0.1:6379/11            emptied first
#   CONTRACT_MAX_EXAMPLES  60     test cases per operation and phase (each run)
#   CONTRACT_SEED          20261  the same cases on every run
#
# The checks' settings that need a reason are in scripts/schemathesis.toml, each with its
# reason. No check is excluded.
set -euo pipefail

SMOKE_NAME="api contract"
# shellcheck source=scripts/smoke_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_lib.sh"
cd "$ROOT"

PG_URL="${CONTRACT_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${CONTRACT_DB_NAME:-ipsportal_api_contract}"
REDIS="${CONTRACT_REDIS_URL:-redis://127.0.0.1:6379/11}"
MAX_EXAMPLES="${CONTRACT_MAX_EXAMPLES:-60}"
SEED="${CONTRACT_SEED:-20261}"

SMOKE_TMP="$(mktemp -d)"
trap smoke_cleanup EXIT
trap 'exit 130' INT TERM

# Production settings, nothing inherited from a developer's shell or an earlier step.
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND CELERY_TASK_ALWAYS_EAGER DEBUG EMAIL_URL \
  SECURE_SSL_REDIRECT CSRF_TRUSTED_ORIGINS
export DJANGO_ENV=production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
export DATABASE_URL="$PG_URL/$DB_NAME"
export REDIS_URL="$REDIS"
export IPS_VAR_DIR="$SMOKE_TMP/var"
export STATIC_ROOT="$SMOKE_TMP/staticfiles"
export MEDIA_ROOT="$SMOKE_TMP/media"
export PORTAL_BASE_URL="https://portal.example.org"

say "fresh database $DB_NAME, empty Redis ${REDIS##*/} (db), demo data"
"$PY" - "$PG_URL" "$DB_NAME" "$REDIS" <<'PY'
import sys

import psycopg
import redis

server, name, redis_url = sys.argv[1:]
with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
redis.Redis.from_url(redis_url).flushdb()
PY
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo >/dev/null
check_done "database $DB_NAME created afresh and migrated; demo data loaded (production mode)"

token_of() {
  "$PY" manage.py drf_create_token "$1" | awk '{print $3}'
}
ADMIN_TOKEN="$(token_of mo.admin@example.org)"
SUPERVISOR_TOKEN="$(token_of mo.supervisor@example.org)"

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
# No Celery worker: exports asked for stay pending, which is what the API answers with.
start_bg gunicorn "$SMOKE_TMP/gunicorn.log" \
  "$BIN/gunicorn" ipsportal.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile -
"$PY" scripts/http_probe.py "$BASE/healthz/" --wait 60 --json-key status=ok

# st_run ROLE TOKEN: one schemathesis run as the user of TOKEN; prints its figures.
st_run() {
  local role="$1" token="$2" log="$SMOKE_TMP/schemathesis-$1.log" start rc
  say "schemathesis as $role: every check, $MAX_EXAMPLES examples per operation, seed $SEED"
  start=$(date +%s)
  set +e
  # Production redirects plain HTTP to HTTPS; the header says a TLS proxy is in front. Run
  # from the temporary folder: schemathesis keeps a cache of crashes in its working folder.
  (cd "$SMOKE_TMP" && "$BIN/st" --config-file "$ROOT/scripts/schemathesis.toml" run \
    "$BASE/api/schema/?format=json" \
    --header "X-Forwarded-Proto: https" \
    --header "Authorization: Token $token" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --workers 2 \
    --no-color) >"$log" 2>&1
  rc=$?
  set -e
  local cases
  cases="$(grep -A1 '^Test cases:' "$log" | tail -n 1 | sed 's/^ *//')"
  if [[ $rc -ne 0 ]]; then
    cat "$log"
    say "FAIL: schemathesis as $role (exit $rc): $cases"
    return "$rc"
  fi
  # The run's summary: operations, phases, warnings, the count of cases.
  sed -n '/^=* SUMMARY =*$/,$p' "$log"
  check_done "schemathesis as $role: 0 failures; $cases; $(($(date +%s) - start))s"
}

st_run "state admin (mo.admin)" "$ADMIN_TOKEN"
st_run "IPS supervisor (mo.supervisor)" "$SUPERVISOR_TOKEN"

SMOKE_OK=1
