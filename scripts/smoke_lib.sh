# Shared helpers of the smoke scripts (sourced, not run).
#
# Each background process is started in its own session (setsid), so that stopping it also
# stops its children (gunicorn's and Celery's workers). Everything started is stopped on exit.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
BIN="$ROOT/.venv/bin"
export PATH="$BIN:$PATH"
export PYTHONUNBUFFERED=1

SMOKE_PIDS=()
SMOKE_LOGS=()
SMOKE_CHECKS=()
SMOKE_OK=0

say() { printf '[%s] %s\n' "$SMOKE_NAME" "$*"; }

# free_port: print a TCP port nobody listens on at this moment.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_bg NAME LOGFILE COMMAND...: start COMMAND in the background, output to LOGFILE.
start_bg() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  SMOKE_PIDS+=("$!")
  SMOKE_LOGS+=("$name=$log")
  say "started $name (pid $!): $*"
}

# wait_for_log LOGFILE PATTERN SECONDS: wait until LOGFILE has a line matching PATTERN.
wait_for_log() {
  local log="$1" pattern="$2" seconds="$3" i
  for ((i = 0; i < seconds * 2; i++)); do
    if grep -qE "$pattern" "$log" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  say "FAIL: no line matching '$pattern' in $log after ${seconds}s"
  return 1
}

check_done() { SMOKE_CHECKS+=("$*"); }

smoke_cleanup() {
  local rc=$? pid entry i
  for pid in "${SMOKE_PIDS[@]}"; do
    # The negative pid signals the process group setsid made: the process and its children.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${SMOKE_PIDS[@]}"; do
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [[ "$SMOKE_OK" != 1 ]]; then
    for entry in "${SMOKE_LOGS[@]}"; do
      say "---- last lines of ${entry%%=*} log ----"
      tail -n 40 "${entry#*=}" 2>/dev/null || true
    done
    say "FAILED (exit $rc)"
    [[ "$rc" == 0 ]] && rc=1
  else
    say "checked:"
    for entry in "${SMOKE_CHECKS[@]}"; do
      say "  - $entry"
    done
    say "all checks passed"
  fi
  if [[ -n "${SMOKE_TMP:-}" && -d "$SMOKE_TMP" ]]; then
    rm -rf "$SMOKE_TMP"
  fi
  exit "$rc"
}
