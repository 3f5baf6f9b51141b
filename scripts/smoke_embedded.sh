#!/usr/bin/env bash
# Embedded smoke test: what `make run` starts on a machine with nothing else installed.
# SQLite and Celery's filesystem broker in a fresh var/ folder, the processes of Procfile.dev
# under honcho (runserver, Celery worker, Celery beat), no PostgreSQL, no Redis.
#
#   scripts/smoke_embedded.sh
#
# Needs .venv (make venv). Everything it starts is stopped when it ends.
set -euo pipefail

SMOKE_NAME="smoke:embedded"
# shellcheck source=scripts/smoke_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/smoke_lib.sh"
cd "$ROOT"

SMOKE_TMP="$(mktemp -d)"
trap smoke_cleanup EXIT
trap 'exit 130' INT TERM

# Nothing from a production or test environment: the defaults alone.
unset DJANGO_ENV SECRET_KEY ALLOWED_HOSTS DATABASE_URL REDIS_URL CELERY_BROKER_URL \
  CELERY_RESULT_BACKEND CELERY_TASK_ALWAYS_EAGER STATIC_ROOT MEDIA_ROOT DEBUG
export IPS_VAR_DIR="$SMOKE_TMP/var"
export EMAIL_URL="filemail://"
export IPS_PORT
IPS_PORT="$(free_port)"
BASE="http://127.0.0.1:$IPS_PORT"

say "migrate and load_demo --if-empty in a fresh $IPS_VAR_DIR"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo --if-empty | tail -n 3
test -f "$IPS_VAR_DIR/ipsportal.sqlite3"
check_done "migrate and load_demo --if-empty on SQLite in a fresh IPS_VAR_DIR"

start_bg honcho "$SMOKE_TMP/honcho.log" "$BIN/honcho" -f Procfile.dev start

say "requests to runserver on $BASE"
PROBE=("$PY" scripts/http_probe.py)
"${PROBE[@]}" "$BASE/healthz/" --wait 60 --json-key status=ok
check_done "GET /healthz/: 200 {\"status\": \"ok\"}"
"${PROBE[@]}" "$BASE/accounts/login/" --contains 'name="csrfmiddlewaretoken"' --contains '<form'
check_done "GET /accounts/login/: 200 with a CSRF-protected form"

say "a real task through the filesystem broker and the worker"
wait_for_log "$SMOKE_TMP/honcho.log" "@[^ ]+ ready" 60
"$PY" manage.py shell -v 0 -c '
from django.conf import settings
from ipsportal.tasks import ping
assert settings.CELERY_BROKER_URL == "filesystem://", settings.CELERY_BROKER_URL
assert settings.CELERY_RESULT_BACKEND.startswith("file://"), settings.CELERY_RESULT_BACKEND
result = ping.delay().get(timeout=60)
assert result == "pong", result
print("ok   ping.delay().get(timeout=60) ->", result)
'
check_done "ipsportal.tasks.ping ran on the worker through the filesystem broker; file result backend: pong"

"$PY" scripts/smoke_login.py "$BASE" wi.supervisor@example.org ips-demo-2026 \
  --expect "Badger State IPS Collaborative" --agency-pdf
check_done "sign in as wi.supervisor@example.org through the login form; home page shows the collaborative"
check_done "an agency summary PDF requested over HTTP, rendered by the worker (through the filesystem broker), downloaded"

wait_for_log "$SMOKE_TMP/honcho.log" "beat: Starting" 30
check_done "celery beat started (log: 'beat: Starting...')"

SMOKE_OK=1
