#!/usr/bin/env bash
# Installs the Debian package with dpkg inside a real systemd (PID 1 of a throwaway container with a volatile root)
# that cannot see the Swift toolchain, and checks its whole life:
#   1. install: the postinst created the user whsed and /var/lib/whsed, enabled and started whsed.socket, and left
#      whsed.service inactive; the binaries' libraries all resolve without /opt/swift;
#   2. socket activation: a connection starts whsed.service (Type=notify reaches active, STATUS=serving), a posting
#      works; `systemctl stop` stops it cleanly (exit 0) and the socket brings it back;
#   3. upgrade to a second package (a higher version): the admin's edit of the conffile /etc/whsed/access is kept,
#      the running whsed is restarted on the new binary (new invocation, new PID, its executable not a deleted file)
#      while the socket keeps listening, and the posting made before the upgrade is still there;
#   4. purge without asking for the state: units, socket, /etc/whsed and enablement gone, /var/lib/whsed kept (a
#      reinstall finds the posting again);
#   5. purge with /etc/whsed/purge-state, and 6. purge with WHSED_PURGE_STATE=yes: /var/lib/whsed gone too.
#
# The container: `--volatile=yes` gives it an empty tmpfs root and the host's /usr; /usr and /var/lib/dpkg are
# overlays whose upper layers are folders of this script, so dpkg can write there (and finds the host's package
# database: the dependencies are met) while the host's own files stay untouched; /opt/swift is an empty tmpfs.
# The container never outlives the script, pass or fail (nspawn-container.sh, as for nspawn-socket-activation.sh).
# Skips with a reason when root or systemd-nspawn is missing.
#
#   Tests/system/nspawn-deb.sh OLD.deb NEW.deb     (NEW must have the higher version)
# Knobs: WHSED_NSPAWN_TIMEOUT (default 300 here), WHSED_NSPAWN_SIGNAL, WHSED_NSPAWN_STEP, WHSED_NSPAWN_STOP_WAIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "nspawn deb test: SKIPPED: $*"; exit 0; }
[ $# -eq 2 ] || { echo "usage: $0 OLD.deb NEW.deb" >&2; exit 64; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (apt-get install systemd-container)"
old_deb=$(readlink -f "$1") new_deb=$(readlink -f "$2")
[ -f "$old_deb" ] && [ -f "$new_deb" ] || { echo "nspawn deb test: no such package: $1 or $2" >&2; exit 64; }
old_version=$(dpkg-deb -f "$old_deb" Version) new_version=$(dpkg-deb -f "$new_deb" Version)
dpkg --compare-versions "$new_version" gt "$old_version" \
  || { echo "nspawn deb test: $new_version is not higher than $old_version" >&2; exit 64; }
label="nspawn deb test"
machine="whsed-deb-test-$$"
default_timeout=300
# dpkg's output, kept for a failure report.
fail_details() { [ -s "$work/dpkg.log" ] && tail -30 "$work/dpkg.log"; }
# shellcheck source=Tests/system/nspawn-container.sh
. Tests/system/nspawn-container.sh

mkdir -p "$work/debs" "$work/layers/usr" "$work/layers/dpkg"
# The host's stat overrides name the host's groups, which the container's fresh /etc/group lacks (dpkg aborts then).
: > "$work/layers/dpkg/statoverride"
cp "$old_deb" "$work/debs/old.deb"
cp "$new_deb" "$work/debs/new.deb"
mounts=(--bind-ro="$work/debs":/srv/whsed-debs
        --overlay=/usr:"$work/layers/usr":/usr
        --tmpfs=/var/lib:mode=0755
        --overlay=/var/lib/dpkg:"$work/layers/dpkg":/var/lib/dpkg
        --tmpfs=/opt/swift:mode=0755)
container_boot "${mounts[@]}"
dpkg_inside() {
  echo "+ $*" >>"$work/dpkg.log"
  inside env DEBIAN_FRONTEND=noninteractive "$@" >>"$work/dpkg.log" 2>&1
}

# No toolchain: /opt/swift is empty, and no Swift runtime library is in /usr or /opt.
[ -z "$(inside ls -A /opt/swift)" ] || fail "/opt/swift is not empty inside the container"
swiftcore=$(inside find /usr /opt -name 'libswiftCore.so*' -print -quit)
[ -z "$swiftcore" ] || fail "a Swift runtime is visible inside the container: $swiftcore"
! inside id whsed >/dev/null 2>&1 || fail "the user whsed exists before the package is installed"
# A policy-rc.d that forbids starting services (as container images of Debian ship) would keep the maintainer
# scripts from starting anything, rightly: this container is a machine that runs services. (/usr is an overlay: the
# host's file stays.)
inside rm -f /usr/sbin/policy-rc.d

state() { inside systemctl show whsed.service -p ActiveState --value; }
prop() { inside systemctl show "$1" -p "$2" --value; }
whsectl() { inside /usr/bin/whsectl --socket /run/whsed/whsed.sock --timeout 30 "$@"; }
installed_version() { inside dpkg-query -W -f='${Status} ${Version}' whsed 2>/dev/null || true; }

# 1. Install.
dpkg_inside dpkg -i /srv/whsed-debs/old.deb || fail "dpkg -i $old_version failed"
[ "$(installed_version)" = "install ok installed $old_version" ] || fail "not installed: $(installed_version)"
for bin in /usr/bin/whsed /usr/bin/whsectl; do
  libs=$(inside ldd "$bin") || fail "ldd $bin failed inside the container"
  ! grep -q -e 'not found' -e swift <<<"$libs" || fail "$bin inside the container: $libs"
done
inside id whsed >/dev/null || fail "the postinst did not create the user whsed"
[ "$(inside stat -c '%U:%G %a' /var/lib/whsed)" = "whsed:whsed 750" ] \
  || fail "/var/lib/whsed is $(inside stat -c '%U:%G %a' /var/lib/whsed 2>&1)"
[ "$(inside systemctl is-enabled whsed.socket)" = enabled ] || fail "whsed.socket is not enabled"
[ "$(prop whsed.socket ActiveState)" = active ] || fail "the postinst did not start whsed.socket"
[ "$(state)" = inactive ] || fail "whsed.service is $(state) before any connection"
inside dpkg-query -W -f='${Conffiles}' whsed | grep -q '/etc/whsed/access' || fail "/etc/whsed/access is no conffile"
echo "nspawn deb test: installed $old_version (user, state folder, socket enabled and listening)"

# 2. Socket activation, Type=notify, a posting, a clean stop.
[ "$(prop whsed.service Type)" = notify ] || fail "whsed.service is not Type=notify"
status=$(whsectl server status --json) || fail "no answer through the socket"
grep -q '"version"' <<<"$status" || fail "unexpected status: $status"
[ "$(state)" = active ] || fail "the connection did not activate whsed.service (it is $(state))"
prop whsed.service StatusText | grep -q serving || fail "no STATUS=serving"
whsectl location create WH1 --name "before the upgrade" >/dev/null || fail "root cannot post"
inside systemctl stop whsed.service 2>/dev/null || fail "stop failed"
[ "$(prop whsed.service Result)" = success ] && [ "$(prop whsed.service ExecMainStatus)" = 0 ] \
  || fail "stopped with result=$(prop whsed.service Result) status=$(prop whsed.service ExecMainStatus)"
whsectl location get WH1 >/dev/null || fail "not re-activated after the stop"
echo "nspawn deb test: socket activation, READY=1 (active), STATUS=serving, a posting, a clean stop"

# 3. Upgrade, with whsed running and the conffile edited by the admin.
inside sh -c 'echo "# edited by the admin" >> /etc/whsed/access' || fail "cannot edit /etc/whsed/access"
before_id=$(prop whsed.service InvocationID) before_pid=$(prop whsed.service MainPID)
[ "$(state)" = active ] && [ "$before_pid" != 0 ] || fail "whsed is not running before the upgrade"
dpkg_inside dpkg -i /srv/whsed-debs/new.deb || fail "dpkg -i $new_version failed"
[ "$(installed_version)" = "install ok installed $new_version" ] || fail "not upgraded: $(installed_version)"
[ "$(state)" = active ] || fail "whsed.service is $(state) after the upgrade, not restarted"
after_id=$(prop whsed.service InvocationID) after_pid=$(prop whsed.service MainPID)
[ "$after_id" != "$before_id" ] && [ "$after_pid" != "$before_pid" ] \
  || fail "whsed.service was not restarted by the upgrade (PID $before_pid → $after_pid)"
exe=$(inside readlink "/proc/$after_pid/exe")
[ "$exe" = /usr/bin/whsed ] || fail "the restarted whsed runs $exe, not the new /usr/bin/whsed"
[ "$(prop whsed.socket ActiveState)" = active ] || fail "whsed.socket is not listening after the upgrade"
# whsed logs "stopped" at the end of a clean stop: once for the stop above, once for the upgrade's restart.
stops=$(inside journalctl --no-pager -u whsed.service | grep -c "stopped$" || true)
[ "$stops" -ge 2 ] || fail "the restart for the upgrade was no clean stop ($stops clean stops in the journal)"
inside grep -q "edited by the admin" /etc/whsed/access || fail "the upgrade lost the admin's edit of the conffile"
whsectl location get WH1 | grep -q "before the upgrade" || fail "the posting made before the upgrade is gone"
echo "nspawn deb test: upgraded to $new_version (restarted: PID $before_pid → $after_pid; state and conffile kept)"

# 4. Purge without asking for the state.
purged() {
  case "$(installed_version)" in "" | *not-installed*) ;; *) fail "$1: still installed: $(installed_version)" ;; esac
  [ "$(prop whsed.service LoadState)" = not-found ] || fail "$1: systemd still knows whsed.service"
  ! inside test -e /run/whsed/whsed.sock || fail "$1: the socket file is still there"
  ! inside test -e /etc/whsed || fail "$1: /etc/whsed is left: $(inside ls -A /etc/whsed)"
  ! inside test -e /usr/bin/whsed || fail "$1: /usr/bin/whsed is left"
  [ -z "$(inside find /etc/systemd/system -name 'whsed.*')" ] || fail "$1: enablement links are left"
  ! inside grep -rqs whsed /var/lib/systemd/deb-systemd-helper-enabled || fail "$1: deb-systemd-helper state is left"
}
dpkg_inside dpkg --purge whsed || fail "dpkg --purge failed"
purged "purge without the state request"
inside test -d /var/lib/whsed && inside sh -c 'ls /var/lib/whsed | grep -q "^log-"' \
  || fail "the purge removed the state though it was not asked to"
inside id whsed >/dev/null || fail "the purge removed the user whsed"
dpkg_inside dpkg -i /srv/whsed-debs/new.deb || fail "reinstall failed"
whsectl location get WH1 | grep -q "before the upgrade" || fail "the reinstalled whsed lost the kept state"
echo "nspawn deb test: purge kept /var/lib/whsed when not asked; a reinstall serves it again"

# 5. Purge with /etc/whsed/purge-state.
inside touch /etc/whsed/purge-state
dpkg_inside dpkg --purge whsed || fail "dpkg --purge (purge-state file) failed"
purged "purge with /etc/whsed/purge-state"
! inside test -e /var/lib/whsed || fail "/etc/whsed/purge-state was set, yet /var/lib/whsed is left"

# 6. Purge with WHSED_PURGE_STATE=yes.
dpkg_inside dpkg -i /srv/whsed-debs/old.deb || fail "install after the purge failed"
whsectl location create WH2 >/dev/null || fail "no posting after a purge and reinstall"
whsectl location get WH1 >/dev/null 2>&1 && fail "WH1 survived a purge that removed the state"
dpkg_inside env WHSED_PURGE_STATE=yes dpkg --purge whsed || fail "dpkg --purge (WHSED_PURGE_STATE) failed"
purged "purge with WHSED_PURGE_STATE=yes"
! inside test -e /var/lib/whsed || fail "WHSED_PURGE_STATE=yes was set, yet /var/lib/whsed is left"
echo "nspawn deb test: purge removed /var/lib/whsed when asked (purge-state file, WHSED_PURGE_STATE=yes)"
echo "nspawn deb test: passed (install without the toolchain, activation, notify, clean stop, upgrade, purges)"
