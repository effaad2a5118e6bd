#!/usr/bin/env bash
# Boots a real systemd (PID 1 of a throwaway container with a volatile root: nothing touches this machine), installs
# whsed.socket and whsed.service exactly as shipped (ExecStart pointed at the built binary), creates the whsed user
# through sysusers, starts the socket, connects, and checks that the connection activated the service (Type=notify:
# READY=1 and STATUS= seen by systemd), that a posting works, and that `systemctl stop` stops it cleanly (exit 0).
# Skips with a reason when root or systemd-nspawn is missing.
#
# The container (nspawn-container.sh) never outlives the script, pass or fail: bounded waits; poweroff, else SIGTERM
# to systemd-nspawn, else SIGKILL to the container's PID 1; an EXIT trap; a final check that nothing is left.
#
# Knobs (for tests of this script itself): WHSED_NSPAWN_TIMEOUT, WHSED_NSPAWN_SIGNAL, WHSED_NSPAWN_STEP and
# WHSED_NSPAWN_STOP_WAIT (nspawn-container.sh), and
#   WHSED_NSPAWN_EXTRA_UNITS=  a folder of unit files added to the container's /etc/systemd/system (misbehaving units)
# Tests/system/nspawn-cleanup-selftest.sh uses them to prove that nothing is left behind on every path.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "nspawn test: SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
bindir=${WHSED_BIN_DIR:-$PWD/.build/debug}
[ -x "$bindir/whsed" ] || skip "no built whsed in $bindir"
label="nspawn test"
machine="whsed-test-$$"
# shellcheck source=Tests/system/nspawn-container.sh
. Tests/system/nspawn-container.sh

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
container_boot "${binds[@]}"

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
