#!/usr/bin/env bash
# Boots a real systemd (PID 1 of a throwaway container with a volatile root: nothing touches this machine), installs
# whsed.socket and whsed.service exactly as shipped (ExecStart pointed at the built binary), creates the whsed user
# through sysusers, starts the socket, connects, and checks that the connection activated the service (Type=notify:
# READY=1 and STATUS= seen by systemd), that a posting works, and that `systemctl stop` stops it cleanly (exit 0).
# It reads whsed's journal fields with `journalctl -o json` (MESSAGE_ID, PRIORITY, METHOD and USER of a refusal), and
# runs the example whsed-metrics.service, which writes the server.metrics text for node_exporter.
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
sed "s#/usr/local/bin/whsectl#/opt/whsed/bin/whsectl#" systemd/whsed-metrics.service \
  > "$work/units/whsed-metrics.service"
cp systemd/whsed-metrics.timer "$work/units/"
# For this test: a member of the whsed group with the default role (read), and the user node_exporter's textfile
# folder belongs to (Debian's prometheus-node-exporter package creates it).
cat > "$work/sysusers/whsed-test.conf" <<'USERS'
u whsedreader - "whsed test reader"
m whsedreader whsed
u prometheus - "Prometheus"
USERS
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

# Journal fields (protocol.md 19.2), read back as JSON. A client with the read role asks for an admin method: the
# refusal's warning carries METHOD and USER, its MESSAGE_ID and PRIORITY 4.
field() {   # field JSON_LINES NAME: the values of NAME, one per line
  python3 -c 'import json, sys
for line in sys.stdin:
    v = json.loads(line).get(sys.argv[1])
    if v is not None: print(v)' "$1"
}
refused=$(inside setpriv --reuid=whsedreader --regid=whsedreader --init-groups "${whsectl[0]}" location create WH2 \
  "${whsectl[@]:1}" 2>&1) && fail "a read-role client created a location: $refused"
end=$(deadline "$step")
until inside journalctl --no-pager -u whsed.service -o json MESSAGE_ID=0d86cf141c8848008b398640376fa3fd \
      | grep -q whsedreader; do
  before "$end" || fail "no permission-denied record in the journal"
  sleep 0.2
done
denied=$(inside journalctl --no-pager -u whsed.service -o json MESSAGE_ID=0d86cf141c8848008b398640376fa3fd | tail -1)
[ "$(echo "$denied" | field PRIORITY)" = 4 ] || fail "refusal record without PRIORITY=4: $denied"
[ "$(echo "$denied" | field METHOD)" = location.create ] || fail "refusal record without METHOD: $denied"
[ "$(echo "$denied" | field USER)" = whsedreader ] || fail "refusal record without USER: $denied"
[ "$(echo "$denied" | field MESSAGE)" = "permission denied" ] || fail "refusal record's MESSAGE: $denied"
[ "$(echo "$denied" | field SYSLOG_IDENTIFIER)" = whsed ] || fail "refusal record's SYSLOG_IDENTIFIER: $denied"
# The start and the clean stop of the first run have their MESSAGE_IDs, at PRIORITY 6.
records=$(inside journalctl --no-pager -u whsed.service -o json)
for id in 33613edc074545b1aa248b1395da2065 630492581bc841d0b9789af2eba707ff; do
  prio=$(echo "$records" | grep "\"MESSAGE_ID\":\"$id\"" | head -1 | field PRIORITY)
  [ "$prio" = 6 ] || fail "no record with MESSAGE_ID=$id and PRIORITY=6"
done
echo "nspawn test: journal fields MESSAGE_ID, PRIORITY, METHOD, USER seen"

# The example metrics service writes the text for node_exporter's textfile collector, as the user prometheus. (The
# counters count from this run's start: one posting more.)
inside "${whsectl[0]}" location create WH3 "${whsectl[@]:1}" >/dev/null || fail "root cannot post after re-activation"
inside install -d -o prometheus -g prometheus -m 0755 /var/lib/prometheus/node-exporter
inside systemctl start whsed-metrics.service || fail "whsed-metrics.service failed"
prom=$(inside cat /var/lib/prometheus/node-exporter/whsed.prom) || fail "no whsed.prom written"
echo "$prom" | grep -q '^whsed_postings_total{method="location.create"} 1$' \
  || fail "whsed.prom does not count the posting: $(echo "$prom" | grep postings_total | head -3)"
echo "$prom" | grep -q '^whsed_refusals_total{reason="permission_denied"} 1$' || fail "whsed.prom lacks the refusal"
[ -z "$(inside find /var/lib/prometheus/node-exporter -name 'whsed.prom.tmp')" ] || fail "temporary file left"
[ "$(inside stat -c %U /var/lib/prometheus/node-exporter/whsed.prom)" = prometheus ] \
  || fail "whsed.prom not written by prometheus"
echo "nspawn test: whsed-metrics.service wrote whsed.prom ($(echo "$prom" | wc -l) lines)"
echo "nspawn test: passed (socket activation, READY/STATUS, posting, clean stop, re-activation, journal fields," \
  "metrics)"
