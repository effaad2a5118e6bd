#!/usr/bin/env bash
# Boots a real systemd (PID 1 of a throwaway container with a volatile root: nothing touches this machine), installs
# whsed.socket and whsed.service exactly as shipped (ExecStart pointed at the built binary), creates the whsed user
# through sysusers, starts the socket, connects, and checks that the connection activated the service (Type=notify:
# READY=1 and STATUS= seen by systemd), that a posting works, and that `systemctl stop` stops it cleanly (exit 0).
# Skips with a reason when root or systemd-nspawn is missing.
#
# The container never outlives the script, pass or fail: every wait is bounded; the container is stopped with
# `systemctl poweroff`, else SIGTERM to systemd-nspawn (which halts the container in order), else SIGKILL to the
# container's PID 1 by its PID (which ends its whole PID namespace; a SIGKILL to systemd-nspawn alone would leave the
# container running); an EXIT trap always does this; and the script ends by checking that no process is left in the
# container's PID namespace and no systemd-nspawn of its machine name runs, failing otherwise.
#
# Knobs (for tests of this script itself):
#   WHSED_NSPAWN_TIMEOUT=240   seconds the container may live at all (then `timeout` signals systemd-nspawn)
#   WHSED_NSPAWN_SIGNAL=TERM   the signal `timeout` sends then; KILL reproduces a systemd-nspawn killed outright
#   WHSED_NSPAWN_STEP=60       seconds any single wait or command inside the container may take
#   WHSED_NSPAWN_STOP_WAIT=20  seconds given to poweroff, then to SIGTERM, before the next way of stopping
#   WHSED_NSPAWN_EXTRA_UNITS=  a folder of unit files added to the container's /etc/systemd/system (misbehaving units)
# Tests/system/nspawn-cleanup-selftest.sh uses them to prove that nothing is left behind on every path.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "nspawn test: SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
bindir=${WHSED_BIN_DIR:-$PWD/.build/debug}
[ -x "$bindir/whsed" ] || skip "no built whsed in $bindir"
limit=${WHSED_NSPAWN_TIMEOUT:-240}
limit_signal=${WHSED_NSPAWN_SIGNAL:-TERM}
step=${WHSED_NSPAWN_STEP:-60}
stop_wait=${WHSED_NSPAWN_STOP_WAIT:-20}
machine="whsed-test-$$"

guard="" nspawn="" pid1="" pidns=""
work=$(mktemp -d)

# Seconds since the epoch, with a fraction, for bounded polling.
now() { date +%s.%N; }
before() { awk -v d="$1" -v n="$(now)" 'BEGIN { exit !(n < d) }'; }
deadline() { awk -v s="$1" -v n="$(now)" 'BEGIN { printf "%.3f", n + s }'; }

# Is our container's PID 1 still there? (Checked by its PID namespace, so a reused PID is never mistaken for it.)
container_alive() {
  [ -n "$pid1" ] && [ -n "$pidns" ] && [ "$(readlink "/proc/$pid1/ns/pid" 2>/dev/null)" = "$pidns" ]
}
# (A systemd-nspawn killed with its `timeout` stays a zombie of this machine's PID 1 for a while: not alive.)
nspawn_alive() {
  [ -n "$nspawn" ] && [ "$(cat "/proc/$nspawn/comm" 2>/dev/null)" = systemd-nspawn ] \
    && ! grep -q '^State:[[:space:]]*Z' "/proc/$nspawn/status" 2>/dev/null
}
# Both gone within $1 seconds?
stopped_within() {
  local end; end=$(deadline "$1")
  while container_alive || nspawn_alive || kill -0 "$guard" 2>/dev/null; do
    before "$end" || return 1
    sleep 0.1
  done
}

# Processes still in the container's PID namespace, and systemd-nspawn processes of our machine. (Once the container's
# PID 1 is gone the kernel has ended its whole namespace, and its inode number may be reused by another one.)
leftovers() {
  local p found=""
  if container_alive; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$pidns" ] && found+=" ${p#/proc/}"
    done
  fi
  found+=$(pgrep -f -- "systemd-nspawn.*--machine=$machine( |$)" | tr '\n' ' ' | sed 's/^/ /;s/ $//' || true)
  echo "$found" | xargs
}

# Stops the container, gently first: poweroff, SIGTERM to systemd-nspawn, SIGKILL to the container's PID 1.
stop_container() {
  [ -n "$guard" ] || return 0
  if container_alive && ! nspawn_alive; then
    echo "nspawn test: systemd-nspawn is gone but the container's PID 1 ($pid1) still runs: stopping it"
  fi
  container_alive && { timeout 10 nsenter -t "$pid1" -a systemctl --no-block poweroff >/dev/null 2>&1 || true; }
  if ! stopped_within "$stop_wait"; then
    echo "nspawn test: the container did not power off; SIGTERM to systemd-nspawn"
    nspawn_alive && kill -TERM "$nspawn" 2>/dev/null || true
    if ! stopped_within "$stop_wait"; then
      echo "nspawn test: still running; SIGKILL to the container's PID 1 ($pid1) and to systemd-nspawn"
      container_alive && kill -KILL "$pid1" 2>/dev/null || true
      nspawn_alive && kill -KILL "$nspawn" 2>/dev/null || true
      kill -KILL "$guard" 2>/dev/null || true
      stopped_within 10 || true
    fi
  fi
  wait "$guard" 2>/dev/null || true
}

cleanup() {
  local status=$? left
  trap - EXIT INT TERM
  # Also after systemd-nspawn itself was killed (WHSED_NSPAWN_SIGNAL=KILL): the container's PID 1 is found by its PID
  # and PID namespace and ended here.
  stop_container
  left=$(leftovers)
  if [ -n "$left" ]; then
    echo "nspawn test: FAILED: container processes left behind (machine $machine): $left"
    ps -o pid,ppid,comm,args -p "${left// /,}" 2>/dev/null || true
    status=1
  else
    echo "nspawn test: no container process left (machine $machine${pidns:+, $pidns})"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'echo "nspawn test: interrupted"; exit 130' INT TERM

mkdir -p "$work/units" "$work/bin" "$work/sysusers" "$work/etc-whsed"
cp "$bindir/whsed" "$bindir/whsectl" "$work/bin/"
sed "s#/usr/local/bin/whsed#/opt/whsed/bin/whsed#" systemd/whsed.service > "$work/units/whsed.service"
cp systemd/whsed.socket "$work/units/"
cp systemd/whsed.sysusers "$work/sysusers/whsed.conf"
cp systemd/access.example "$work/etc-whsed/access"
[ -z "${WHSED_NSPAWN_EXTRA_UNITS:-}" ] || cp -a "$WHSED_NSPAWN_EXTRA_UNITS"/. "$work/units/"
swiftlib=/opt/swift/usr/lib/swift/linux
binds=(--bind-ro="$work/bin":/opt/whsed/bin --bind-ro="$work/units":/etc/systemd/system
       --bind-ro="$work/sysusers":/etc/sysusers.d --bind-ro="$work/etc-whsed":/etc/whsed)
[ -d "$swiftlib" ] && binds+=(--bind-ro="$swiftlib")
# SIGTERM makes systemd-nspawn halt the container in order (--kill-signal defaults to SIGRTMIN+3 with --boot);
# SIGKILL 20 s later if it has not.
timeout --signal="$limit_signal" --kill-after=20 "$limit" \
  systemd-nspawn --quiet --register=no --keep-unit --directory=/ --volatile=yes "${binds[@]}" \
  --machine="$machine" --console=read-only --boot systemd.unit=multi-user.target systemd.firstboot=off \
  >"$work/boot.log" 2>&1 &
guard=$!

fail() {
  echo "nspawn test: FAILED: $*"
  if container_alive; then
    timeout 10 nsenter -t "$pid1" -a systemctl --no-pager --failed 2>/dev/null || true
    timeout 10 nsenter -t "$pid1" -a journalctl --no-pager -u whsed.service -u whsed.socket 2>/dev/null \
      | tail -30 || true
  else
    tail -30 "$work/boot.log" || true
  fi
  exit 1
}

# The container's PID 1: timeout → systemd-nspawn → systemd.
end=$(deadline "$step")
while [ -z "$pid1" ]; do
  kill -0 "$guard" 2>/dev/null || fail "systemd-nspawn exited at once"
  before "$end" || fail "no container PID 1 within $step s"
  nspawn=$(pgrep -P "$guard" -x systemd-nspawn | head -1 || true)
  [ -n "$nspawn" ] && pid1=$(pgrep -P "$nspawn" -x systemd | head -1 || true)
  [ -n "$pid1" ] || sleep 0.1
done
pidns=$(readlink "/proc/$pid1/ns/pid")
inside() { timeout "$step" nsenter -t "$pid1" -a "$@"; }

# Booted far enough: basic.target reached (sysusers ran, sockets can start). The boot as a whole may stay unfinished
# or end `degraded` when a host unit fails inside the volatile root (as dbus.service did on a machine where `apt-get
# install systemd-container` had pulled dbus in); neither matters to this test, so `is-system-running --wait` is not
# used: it can wait forever.
end=$(deadline "$step")
until [ "$(inside systemctl is-active basic.target 2>/dev/null || true)" = active ]; do
  container_alive || fail "the container's systemd ended while booting"
  before "$end" || fail "basic.target not reached within $step s"
  sleep 0.2
done
echo "nspawn test: booted to basic.target (system: $(inside systemctl is-system-running 2>/dev/null || true))"

inside id whsed >/dev/null || fail "sysusers did not create the whsed user"
inside systemctl start whsed.socket || fail "whsed.socket did not start"
state() { inside systemctl show whsed.service -p ActiveState --value; }
[ "$(state)" = inactive ] || fail "service active before any connection"
whsectl=(/opt/whsed/bin/whsectl --socket /run/whsed/whsed.sock --timeout 30)
status=$(inside "${whsectl[0]}" server status "${whsectl[@]:1}" --json) || fail "no answer through the socket"
echo "$status" | grep -q '"version"' || fail "unexpected status: $status"
[ "$(state)" = active ] || fail "the connection did not activate whsed.service"
inside systemctl show whsed.service -p StatusText --value | grep -q serving || fail "no STATUS=serving"
inside "${whsectl[0]}" location create WH1 "${whsectl[@]:1}" >/dev/null || fail "root cannot post"
inside ls /var/lib/whsed | grep -q '^log-' || fail "no log in StateDirectory"
inside systemctl stop whsed.service || fail "stop failed"
result=$(inside systemctl show whsed.service -p Result --value)
code=$(inside systemctl show whsed.service -p ExecMainStatus --value)
[ "$result" = success ] && [ "$code" = 0 ] || fail "stopped with result=$result status=$code"
inside journalctl --no-pager -u whsed.service | grep -q "stopped" || fail "no clean-stop log line in the journal"
# The socket brings it back with the books intact.
inside "${whsectl[0]}" location get WH1 "${whsectl[@]:1}" >/dev/null || fail "not re-activated after stop"
echo "nspawn test: passed (socket activation, READY/STATUS, posting, clean stop, re-activation)"
