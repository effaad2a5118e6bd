#!/usr/bin/env bash
# Proves that Tests/system/nspawn-socket-activation.sh never leaves its container behind and never waits without
# bound, on each way it can end. Runs it four times:
#   1. as is: passes;
#   2. with its container timeout (1 s) firing during the boot: `timeout` sends SIGTERM to systemd-nspawn, which halts
#      the container in order; the test fails;
#   3. the same with SIGKILL, as the script did before: systemd-nspawn dies and the container runs on as an orphan,
#      which the script's EXIT trap finds by its PID and stops;
#   4. with a unit that never finishes starting (so the boot never ends: `is-system-running --wait` would wait
#      forever) and one that never stops (so neither `poweroff` nor SIGTERM ends the container): the test still
#      passes, on basic.target, and the trap falls back to SIGKILL of the container's PID 1.
# After each run it checks from outside that no process of that container is left: no systemd whose UTS hostname is
# the machine name, no systemd-nspawn with it. Skips like the script itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "nspawn self-test: SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
bindir=${WHSED_BIN_DIR:-$PWD/.build/debug}
[ -x "$bindir/whsed" ] || skip "no built whsed in $bindir"
script=Tests/system/nspawn-socket-activation.sh
units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT

# A unit that holds basic.target back for 4 s, so that a 1 s container timeout fires while the script waits for it.
mkdir -p "$units/slow/basic.target.wants"
cat > "$units/slow/slow-basic.service" <<'EOF'
[Unit]
Description=holds basic.target back for 4 s
DefaultDependencies=no
After=sysinit.target
Before=basic.target
[Service]
Type=oneshot
ExecStart=/bin/sleep 4
EOF
ln -s ../slow-basic.service "$units/slow/basic.target.wants/slow-basic.service"

# Units that keep the boot from finishing and the container from stopping.
mkdir -p "$units/stuck/multi-user.target.wants"
cat > "$units/stuck/stuck-boot.service" <<'EOF'
[Unit]
Description=never finishes starting
[Service]
Type=oneshot
ExecStart=/bin/sleep infinity
TimeoutStartSec=infinity
EOF
cat > "$units/stuck/stuck-stop.service" <<'EOF'
[Unit]
Description=never finishes stopping
[Service]
Type=simple
ExecStart=/bin/sleep infinity
ExecStop=/bin/sleep infinity
TimeoutStopSec=infinity
EOF
ln -s ../stuck-boot.service "$units/stuck/multi-user.target.wants/stuck-boot.service"
ln -s ../stuck-stop.service "$units/stuck/multi-user.target.wants/stuck-stop.service"

# Processes of the container named $1, seen from this machine.
left_of() {
  local p
  for p in $(pgrep -x systemd || true); do
    [ "$(nsenter -t "$p" -u cat /proc/sys/kernel/hostname 2>/dev/null)" = "$1" ] && echo "$p"
  done
  pgrep -f -- "--machine=$1( |\$)" || true
}

failures=0
# run_case NAME MAX_SECONDS EXPECTED_STATUS(any|0|1) FRAGMENT... -- VAR=VALUE...
run_case() {
  local name=$1 max=$2 want=$3 expect=() settings=() out status=0 start=$SECONDS took machine left problems=()
  shift 3
  while [ "$1" != -- ]; do expect+=("$1"); shift; done
  shift
  settings=("$@")
  out=$(env "${settings[@]}" WHSED_BIN_DIR="$bindir" \
        timeout --signal=TERM --kill-after=10 $((max + 60)) "$script" 2>&1) || status=$?
  took=$((SECONDS - start))
  machine=$(grep -o 'machine whsed-test-[0-9]*' <<<"$out" | head -1 | cut -d' ' -f2 || true)
  [ "$want" = any ] || [ "$status" = "$want" ] || problems+=("exit status $status, expected $want")
  [ "$took" -le "$max" ] || problems+=("took ${took} s, more than $max s")
  grep -q "no container process left" <<<"$out" || problems+=("the script did not report a clean end")
  for e in "${expect[@]}"; do grep -qF -- "$e" <<<"$out" || problems+=("missing in the output: $e"); done
  if [ -z "$machine" ]; then
    problems+=("no machine name in the output")
  else
    left=$(left_of "$machine" | xargs)
    [ -z "$left" ] || problems+=("left behind: $left")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "nspawn self-test: ok: $name (exit $status, ${took} s, $machine: nothing left)"
  else
    failures=$((failures + 1))
    echo "nspawn self-test: FAILED: $name: ${problems[*]}"
    sed 's/^/    | /' <<<"$out" | grep -v '^    | [A-Z][a-z][a-z] [0-9]' | tail -25
  fi
}

run_case "a normal run" 60 0 "nspawn test: passed" -- X=1
run_case "SIGTERM to systemd-nspawn from the container timeout" 40 1 "FAILED" -- \
  WHSED_NSPAWN_TIMEOUT=1 WHSED_NSPAWN_EXTRA_UNITS="$units/slow"
run_case "SIGKILL to systemd-nspawn from the container timeout" 40 any \
  "systemd-nspawn is gone but the container's PID 1" -- \
  WHSED_NSPAWN_TIMEOUT=1 WHSED_NSPAWN_SIGNAL=KILL WHSED_NSPAWN_EXTRA_UNITS="$units/slow"
run_case "a boot that never finishes and a container that never stops" 60 0 \
  "system: starting" "nspawn test: passed" "did not power off" "SIGKILL to the container's PID 1" -- \
  WHSED_NSPAWN_STOP_WAIT=3 WHSED_NSPAWN_EXTRA_UNITS="$units/stuck"

[ "$failures" -eq 0 ] || { echo "nspawn self-test: $failures case(s) failed"; exit 1; }
echo "nspawn self-test: passed (every way the container test can end leaves nothing behind)"
