# Sourced by the container tests (nspawn-socket-activation.sh, nspawn-deb.sh): boots a real systemd as PID 1 of a
# throwaway container with a volatile root (an empty tmpfs, the host's /usr read-only: nothing touches this machine)
# and makes sure that the container never outlives the script, pass or fail: every wait is bounded; the container is
# stopped with `systemctl poweroff`, else SIGTERM to systemd-nspawn (which halts the container in order), else SIGKILL
# to the container's PID 1 by its PID (which ends its whole PID namespace; a SIGKILL to systemd-nspawn alone would
# leave the container running); an EXIT trap always does this; and the script ends by checking that no process is
# left in the container's PID namespace and no systemd-nspawn of its machine name runs, failing otherwise.
#
# The sourcing script sets `label` (its messages' prefix) and `machine` (the machine name) first, may set
# `default_timeout` and define `fail_details` (more to print on a failure while the container runs), then calls
# `container_boot EXTRA_SYSTEMD_NSPAWN_ARGS...` and runs commands in the container with `inside`. `$work` is a
# temporary folder removed at the end.
#
# Knobs (for tests of the scripts themselves, see nspawn-cleanup-selftest.sh):
#   WHSED_NSPAWN_TIMEOUT=240   seconds the container may live at all (then `timeout` signals systemd-nspawn)
#   WHSED_NSPAWN_SIGNAL=TERM   the signal `timeout` sends then; KILL reproduces a systemd-nspawn killed outright
#   WHSED_NSPAWN_STEP=60       seconds any single wait or command inside the container may take
#   WHSED_NSPAWN_STOP_WAIT=20  seconds given to poweroff, then to SIGTERM, before the next way of stopping
limit=${WHSED_NSPAWN_TIMEOUT:-${default_timeout:-240}}
limit_signal=${WHSED_NSPAWN_SIGNAL:-TERM}
step=${WHSED_NSPAWN_STEP:-60}
stop_wait=${WHSED_NSPAWN_STOP_WAIT:-20}

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
    echo "$label: systemd-nspawn is gone but the container's PID 1 ($pid1) still runs: stopping it"
  fi
  container_alive && { timeout 10 nsenter -t "$pid1" -a systemctl --no-block poweroff >/dev/null 2>&1 || true; }
  if ! stopped_within "$stop_wait"; then
    echo "$label: the container did not power off; SIGTERM to systemd-nspawn"
    nspawn_alive && kill -TERM "$nspawn" 2>/dev/null || true
    if ! stopped_within "$stop_wait"; then
      echo "$label: still running; SIGKILL to the container's PID 1 ($pid1) and to systemd-nspawn"
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
    echo "$label: FAILED: container processes left behind (machine $machine): $left"
    ps -o pid,ppid,comm,args -p "${left// /,}" 2>/dev/null || true
    status=1
  else
    echo "$label: no container process left (machine $machine${pidns:+, $pidns})"
  fi
  # $work holds the upper and work folders of any overlay; systemd-nspawn leaves a folder in /run when it is killed.
  rm -rf "$work"
  rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'echo "$label: interrupted"; exit 130' INT TERM

fail() {
  echo "$label: FAILED: $*"
  if container_alive; then
    timeout 10 nsenter -t "$pid1" -a systemctl --no-pager --failed 2>/dev/null || true
    timeout 10 nsenter -t "$pid1" -a journalctl --no-pager -u whsed.service -u whsed.socket 2>/dev/null \
      | tail -30 || true
    if declare -F fail_details >/dev/null; then fail_details || true; fi
  else
    tail -30 "$work/boot.log" || true
  fi
  exit 1
}

inside() { timeout "$step" nsenter -t "$pid1" -a "$@"; }

# Boots the container (with systemd-nspawn's extra arguments "$@") and waits until basic.target is reached.
container_boot() {
  # SIGTERM makes systemd-nspawn halt the container in order (--kill-signal defaults to SIGRTMIN+3 with --boot);
  # SIGKILL 20 s later if it has not.
  timeout --signal="$limit_signal" --kill-after=20 "$limit" \
    systemd-nspawn --quiet --register=no --keep-unit --directory=/ --volatile=yes "$@" \
    --machine="$machine" --console=read-only --boot systemd.unit=multi-user.target systemd.firstboot=off \
    >"$work/boot.log" 2>&1 &
  guard=$!

  # The container's PID 1: timeout → systemd-nspawn → systemd.
  local end; end=$(deadline "$step")
  while [ -z "$pid1" ]; do
    kill -0 "$guard" 2>/dev/null || fail "systemd-nspawn exited at once"
    before "$end" || fail "no container PID 1 within $step s"
    nspawn=$(pgrep -P "$guard" -x systemd-nspawn | head -1 || true)
    [ -n "$nspawn" ] && pid1=$(pgrep -P "$nspawn" -x systemd | head -1 || true)
    [ -n "$pid1" ] || sleep 0.1
  done
  pidns=$(readlink "/proc/$pid1/ns/pid")

  # Booted far enough: basic.target reached (sysusers ran, sockets can start). The boot as a whole may stay
  # unfinished or end `degraded` when a host unit fails inside the volatile root (as dbus.service did on a machine
  # where `apt-get install systemd-container` had pulled dbus in); neither matters to these tests, so
  # `is-system-running --wait` is not used: it can wait forever.
  end=$(deadline "$step")
  until [ "$(inside systemctl is-active basic.target 2>/dev/null || true)" = active ]; do
    container_alive || fail "the container's systemd ended while booting"
    before "$end" || fail "basic.target not reached within $step s"
    sleep 0.2
  done
  echo "$label: booted to basic.target (system: $(inside systemctl is-system-running 2>/dev/null || true))"
}
