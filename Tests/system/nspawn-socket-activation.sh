#!/usr/bin/env bash
# Boots a real systemd (PID 1 of a throwaway container with a volatile root: nothing touches this machine), installs
# whsed.socket and whsed.service exactly as shipped (ExecStart pointed at the built binary), creates the whsed user
# through sysusers, starts the socket, connects, and checks that the connection activated the service (Type=notify:
# READY=1 and STATUS= seen by systemd), that a posting works, and that `systemctl stop` stops it cleanly (exit 0).
# Skips with a reason when root or systemd-nspawn is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "nspawn test: SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
bindir=${WHSED_BIN_DIR:-$PWD/.build/debug}
[ -x "$bindir/whsed" ] || skip "no built whsed in $bindir"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/units" "$work/bin" "$work/sysusers" "$work/etc-whsed"
cp "$bindir/whsed" "$bindir/whsectl" "$work/bin/"
sed "s#/usr/local/bin/whsed#/opt/whsed/bin/whsed#" systemd/whsed.service > "$work/units/whsed.service"
cp systemd/whsed.socket "$work/units/"
cp systemd/whsed.sysusers "$work/sysusers/whsed.conf"
cp systemd/access.example "$work/etc-whsed/access"
swiftlib=/opt/swift/usr/lib/swift/linux
binds=(--bind-ro="$work/bin":/opt/whsed/bin --bind-ro="$work/units":/etc/systemd/system
       --bind-ro="$work/sysusers":/etc/sysusers.d --bind-ro="$work/etc-whsed":/etc/whsed)
[ -d "$swiftlib" ] && binds+=(--bind-ro="$swiftlib")
timeout -s KILL 240 systemd-nspawn --quiet --register=no --keep-unit --directory=/ --volatile=yes "${binds[@]}" \
  --machine="whsed-test-$$" --console=read-only --boot systemd.unit=multi-user.target systemd.firstboot=off \
  >"$work/boot.log" 2>&1 &
guard=$! pid1=""
for _ in $(seq 150); do
  child=$(pgrep -P "$guard" | head -1 || true)
  [ -n "$child" ] && pid1=$(pgrep -P "$child" -x systemd || true)
  [ -n "$pid1" ] && nsenter -t "$pid1" -a systemctl is-system-running --wait >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$pid1" ] || { cat "$work/boot.log"; echo "nspawn test: systemd did not boot"; exit 1; }
inside() { nsenter -t "$pid1" -a "$@"; }
finish() { inside systemctl poweroff >/dev/null 2>&1 || true; wait "$guard" || true; }
fail() { echo "nspawn test: FAILED: $*"; inside journalctl --no-pager -u whsed.service -u whsed.socket | tail -30 || true; finish; exit 1; }
inside id whsed >/dev/null || fail "sysusers did not create the whsed user"
inside systemctl start whsed.socket || fail "whsed.socket did not start"
[ "$(inside systemctl show whsed.service -p ActiveState --value)" = inactive ] || fail "service active before any connection"
status=$(inside /opt/whsed/bin/whsectl server status --socket /run/whsed/whsed.sock --json) || fail "no answer through the socket"
echo "$status" | grep -q '"version"' || fail "unexpected status: $status"
[ "$(inside systemctl show whsed.service -p ActiveState --value)" = active ] || fail "the connection did not activate whsed.service"
inside systemctl show whsed.service -p StatusText --value | grep -q serving || fail "no STATUS=serving"
inside /opt/whsed/bin/whsectl location create WH1 --socket /run/whsed/whsed.sock >/dev/null || fail "root cannot post"
inside ls /var/lib/whsed | grep -q '^log-' || fail "no log in StateDirectory"
inside systemctl stop whsed.service || fail "stop failed"
result=$(inside systemctl show whsed.service -p Result --value)
code=$(inside systemctl show whsed.service -p ExecMainStatus --value)
[ "$result" = success ] && [ "$code" = 0 ] || fail "stopped with result=$result status=$code"
inside journalctl --no-pager -u whsed.service | grep -q "stopped" || fail "no clean-stop log line in the journal"
# The socket brings it back with the books intact.
inside /opt/whsed/bin/whsectl location get WH1 --socket /run/whsed/whsed.sock >/dev/null || fail "not re-activated after stop"
echo "nspawn test: passed (socket activation, READY/STATUS, posting, clean stop, re-activation)"
finish
