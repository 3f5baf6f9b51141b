#!/usr/bin/env bash
# Production smoke test: the portal in production mode on PostgreSQL and Redis, served by
# gunicorn, with a Celery worker and beat, exactly as docker-compose.yml runs it.
#
#   scripts/smoke_production.sh
#
# Needs .venv (make venv), a PostgreSQL server and a Redis server. Settings (defaults):
#   SMOKE_PG_URL     postgres://postgres@127.0.0.1:5432   server; database ipsportal_smoke
#                                                         is dropped and created afresh
#   SMOKE_REDIS_URL  redis://127.0.0.1:6379/10            emptied first
# Everything it starts is stopped when it ends, whether it passed or not.
set -euo pipefail

SMOKE_NAME="smoke:production"
# shellcheck source=scripts/smoke_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_lib.sh"
cd "$ROOT"

PG_URL="${SMOKE_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${SMOKE_DB_NAME:-ipsportal_smoke}"
REDIS="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/10}"

SMOKE_TMP="$(mktemp -d)"
trap smoke_cleanup EXIT
trap 'exit 130' INT TERM

# A clean production environment: nothing inherited from a developer's shell or test run.
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

say "fresh database $DB_NAME, empty Redis ${REDIS##*/} (db)"
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
check_done "database $DB_NAME created afresh; Redis db ${REDIS##*/} emptied"

say "migrate, collectstatic, load_demo (production settings)"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
test -f "$STATIC_ROOT/staticfiles.json"
"$PY" manage.py load_demo | tail -n 3
check_done "migrate, collectstatic (hashed manifest) and load_demo in production mode"

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
start_bg gunicorn "$SMOKE_TMP/gunicorn.log" \
  "$BIN/gunicorn" ipsportal.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile -
start_bg worker "$SMOKE_TMP/worker.log" \
  "$BIN/celery" -A ipsportal worker -l info --concurrency=1 -n "smoke-production@%h"
start_bg beat "$SMOKE_TMP/beat.log" \
  "$BIN/celery" -A ipsportal beat -l info --enable-remote-control -n "smoke-beat@%h"

say "requests through gunicorn on $BASE"
PROBE=("$PY" scripts/http_probe.py)
"${PROBE[@]}" "$BASE/healthz/" --wait 60 --json-key status=ok
check_done "GET /healthz/ through gunicorn: 200 {\"status\": \"ok\"} (plain HTTP is allowed there)"
"${PROBE[@]}" "$BASE/accounts/login/" --status 301 --location-starts "https://"
check_done "GET /accounts/login/ over plain HTTP: 301 to https:// (production redirect is on)"
"${PROBE[@]}" "$BASE/accounts/login/" --header "X-Forwarded-Proto: https" \
  --contains 'name="csrfmiddlewaretoken"' --contains '<form'
check_done "GET /accounts/login/ behind a TLS proxy: 200 with a CSRF-protected form"
css="$("${PROBE[@]}" "$BASE/accounts/login/" --header "X-Forwarded-Proto: https" \
  --extract 'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"')"
"${PROBE[@]}" "$BASE$css" --header "X-Forwarded-Proto: https"
check_done "GET $css: 200 (collected, hashed static file served by WhiteNoise)"

say "a real task through Redis and the worker"
wait_for_log "$SMOKE_TMP/worker.log" "@[^ ]+ ready" 60
"$PY" manage.py shell -v 0 -c '
from ipsportal.tasks import ping
result = ping.delay().get(timeout=60)
assert result == "pong", result
print("ok   ping.delay().get(timeout=60) ->", result)
'
check_done "ipsportal.tasks.ping ran on the worker through Redis; result from the Redis backend: pong"

"$PY" scripts/smoke_login.py "$BASE" mo.admin@example.org ips-demo-2026 \
  --expect "Show-Me IPS Collaborative" --behind-tls-proxy --agency-pdf
check_done "sign in as mo.admin@example.org through the login form; home page shows the collaborative"
check_done "an agency summary PDF requested over HTTP, rendered by the worker (through Redis), downloaded"

wait_for_log "$SMOKE_TMP/beat.log" "beat: Starting" 30
check_done "celery beat started (log: 'beat: Starting...')"

say "the container health checks of docker-compose.yml, run against these processes"
HEALTHCHECK_PORT="$PORT" ALLOWED_HOSTS="localhost,127.0.0.1" "$PY" scripts/healthcheck.py
check_done "scripts/healthcheck.py (the web image's HEALTHCHECK) reports gunicorn healthy"
HOST="$("$PY" -c 'import socket; print(socket.gethostname())')"
"$BIN/celery" -A ipsportal inspect ping -d "smoke-production@$HOST" --timeout 10
check_done "celery inspect ping reaches the worker (its compose health check)"
"$BIN/celery" -A ipsportal inspect ping -d "smoke-beat@$HOST" --timeout 10
check_done "celery inspect ping reaches beat (its compose health check)"

SMOKE_OK=1
