"""The systemd watchdog (protocol.md 2.5): WATCHDOG=1 goes out only while the writer and every event loop make
progress; a part stalled for more than half of WatchdogSec stops the pings (and is logged) until it progresses again.

Each test runs a real whsed with a real NOTIFY_SOCKET datagram socket and WATCHDOG_USEC=2000000 (WatchdogSec=2s:
stall limit 1 s, checks every 0.5 s). A writer stall is a real fdatasync held by the stallsync.c LD_PRELOAD shim; an
event-loop stall is a real block of one loop through the debug-build test hook WHSED_DEBUG_STALL_FILE.
"""

import os
import re
import socket
import subprocess
import threading
import time
import unittest

from harness import DaemonTestCase, posting, request, setup_master_data

WATCHDOG_USEC = 2_000_000
WATCHDOG_SEC = WATCHDOG_USEC / 1e6
LIMIT = WATCHDOG_SEC / 2      # a part older than this is stalled
CHECK = WATCHDOG_SEC / 4      # the pinger checks (and pings when all is well) this often
MARGIN = 0.6                  # scheduling slack on a loaded 2-core machine


class Notifications:
    """Collects every datagram whsed sends to NOTIFY_SOCKET, stamped with time.monotonic()."""

    def __init__(self, path):
        self.rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.rx.bind(path)
        self.rx.settimeout(0.1)
        self.messages = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data = self.rx.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append((time.monotonic(), data.decode(errors="replace")))

    def close(self):
        self.running = False
        self.thread.join(2)
        self.rx.close()

    def pings(self, start=float("-inf"), end=float("inf")):
        with self.lock:
            return [t for t, m in self.messages if "WATCHDOG=1" in m.split("\n") and start <= t <= end]

    def wait_ping(self, after, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = self.pings(after)
            if p:
                return p[0]
            time.sleep(0.02)
        return None


def log_text(d):
    with open(d.log_path, "rb") as f:
        return f.read().decode(errors="replace")


class Watchdog(DaemonTestCase):
    def start_watched(self, env=None):
        notes = Notifications(os.path.join(self.tmp, "notify.sock"))
        self.addCleanup(notes.close)
        d = self.new_daemon(env=dict({"NOTIFY_SOCKET": notes.rx.getsockname(),
                                      "WATCHDOG_USEC": str(WATCHDOG_USEC)}, **(env or {})))
        d.start()
        first = notes.wait_ping(float("-inf"), 10)
        self.assertIsNotNone(first, f"no WATCHDOG=1 within 10 s of start; log:\n{d.log()}")
        return d, notes

    def assertRegularPings(self, notes, start, end, what, d):
        """Pings all through [start, end], never further apart than 1.5 s (systemd would act after 2 s)."""
        pings = notes.pings(start, end)
        points = [start] + pings + [end]
        gap = max(b - a for a, b in zip(points, points[1:]))
        self.assertLessEqual(gap, LIMIT + CHECK, f"{what}: WATCHDOG=1 paused {gap:.2f} s (pings at "
                                                 f"{[round(p - start, 2) for p in pings]} s); log:\n{d.log()}")

    def assertSilent(self, notes, start, end, what, d):
        pings = notes.pings(start, end)
        self.assertEqual(pings, [], f"{what}: WATCHDOG=1 still sent at {[round(p - start, 2) for p in pings]} s "
                                    f"into a {end - start:.1f} s window; log:\n{d.log()}")

    def test_pings_arrive_while_idle_and_while_posting(self):
        d, notes = self.start_watched()
        self.assertIn("watchdog: WATCHDOG=1 every 0.5 s", log_text(d))
        start = time.monotonic()
        time.sleep(3)
        self.assertRegularPings(notes, start, time.monotonic(), "idle", d)

        with d.connect() as c:
            setup_master_data(c)
            start = time.monotonic()
            n = 0
            while time.monotonic() - start < 3:
                c.ok("whseItemJournal.register", posting(f"p{n}"), id=n)
                n += 1
            end = time.monotonic()
        self.assertGreater(n, 10, "too few postings to call this 'while posting'")
        self.assertRegularPings(notes, start, end, f"while posting ({n} postings in 3 s)", d)
        self.assertNotIn("watchdog: stall", log_text(d))

    def test_writer_stuck_in_fdatasync_stops_pings_until_the_sync_returns(self):
        so = self.build_shim("stallsync.c")
        flag = os.path.join(self.tmp, "stall-sync")
        mark = os.path.join(self.tmp, "sync-stalled")
        d, notes = self.start_watched({"LD_PRELOAD": so, "STALLSYNC_FLAG": flag, "STALLSYNC_MARK": mark})
        with d.connect() as c:
            setup_master_data(c)
        open(flag, "w").close()
        poster = d.connect(timeout=30)
        self.addCleanup(poster.close)
        poster.send(request("whseItemJournal.register", posting("stuck"), id=7))
        deadline = time.monotonic() + 10
        while not os.path.exists(mark) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(os.path.exists(mark), f"the posting's fdatasync never reached the shim; log:\n{d.log()}")
        with open(mark) as f:
            blocked = float(f.readline())   # CLOCK_MONOTONIC, the clock of time.monotonic()
        # Only the writer stalls: reads on other connections go on, and the loops keep beating.
        with d.connect() as c:
            self.assertIn("result", c.rpc("server.status", id=1))
        release = blocked + 5.0
        time.sleep(max(0, release - time.monotonic()))
        os.unlink(flag)
        released = time.monotonic()
        self.assertSilent(notes, blocked + LIMIT + CHECK + MARGIN, released, "writer stuck in fdatasync", d)

        reply = poster.recv(timeout=20)
        self.assertIn("result", reply, f"the stuck posting failed after the sync returned: {reply!r}")
        resumed = notes.wait_ping(released, CHECK + 2 * MARGIN + 1)
        self.assertIsNotNone(resumed, f"WATCHDOG=1 did not resume after the sync returned; log:\n{d.log()}")
        log = log_text(d)
        self.assertEqual(log.count("watchdog: stall of the writer"), 1, f"the stall must be logged once:\n{log}")
        self.assertIn("whsed: error: watchdog: stall of the writer: no progress for", log)
        self.assertIn("watchdog: the writer progresses again after a stall of", log)
        self.assertNotIn("stall of the event loop", log, "only the writer stalled")
        time.sleep(2)
        self.assertRegularPings(notes, resumed, time.monotonic(), "after the stall", d)

    def test_stalled_event_loop_stops_pings_until_it_runs_again(self):
        stall = os.path.join(self.tmp, "stall-loop")
        d, notes = self.start_watched({"WHSED_DEBUG_STALL_FILE": stall})
        if "is ignored" in log_text(d):
            self.skipTest("whsed is a release build: the event-loop stall hook exists in debug builds only")
        loops = int(re.search(r"while the writer and all (\d+) event loops progress", log_text(d)).group(1))
        victim = loops - 1   # with one loop (one core) that loop stalls and no connection is answered
        # Connections are spread over the event loops round-robin: some are served by the stalled one.
        conns = [d.connect(timeout=10) for _ in range(4)]
        for c in conns:
            self.addCleanup(c.close)
            self.assertIn("result", c.rpc("server.status", id=0))
        start = time.monotonic()
        time.sleep(1.5)
        self.assertRegularPings(notes, start, time.monotonic(), "before the stall", d)

        with open(stall + ".tmp", "w") as f:
            f.write(f"{victim}\n")
        os.rename(stall + ".tmp", stall)
        stalled = time.monotonic()
        time.sleep(0.3)
        # The stall is real: connections on that loop get no answer, those on the other loops do.
        answered, waiting = [], []
        for c in conns:
            c.send(request("server.status", id=1))
        for c in conns:
            try:
                c.recv(timeout=0.5)
                answered.append(c)
            except socket.timeout:
                waiting.append(c)
        self.assertTrue(waiting and (answered or loops == 1),
                        f"{len(answered)} of 4 connections answered during the stall of event loop {victim} of "
                        f"{loops}; expected some but not all; log:\n{d.log()}")
        release = stalled + 5.0
        time.sleep(max(0, release - time.monotonic()))
        os.unlink(stall)
        released = time.monotonic()
        self.assertSilent(notes, stalled + LIMIT + CHECK + MARGIN, released, f"event loop {victim} stalled", d)

        for c in waiting:
            self.assertIn("result", c.recv(timeout=10), "a connection of the stalled loop never got its answer")
        resumed = notes.wait_ping(released, CHECK + 2 * MARGIN + 1)
        self.assertIsNotNone(resumed, f"WATCHDOG=1 did not resume after the loop ran again; log:\n{d.log()}")
        log = log_text(d)
        self.assertEqual(log.count(f"watchdog: stall of the event loop {victim}"), 1,
                         f"the stall must be logged once:\n{log}")
        self.assertIn(f"whsed: error: watchdog: stall of the event loop {victim}: no progress for", log)
        self.assertIn(f"watchdog: the event loop {victim} progresses again after a stall of", log)
        self.assertNotIn("stall of the writer", log, "only one event loop stalled")
        self.assertEqual(log.count("watchdog: stall of"), 1, f"only event loop {victim} stalled:\n{log}")


if __name__ == "__main__":
    unittest.main()
