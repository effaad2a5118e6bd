"""Durability and posting behaviour: SIGKILL under load, idempotency, graceful shutdown, fsync failure, and the order
of write, fdatasync and reply seen through strace."""

import collections
import json
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import (DaemonTestCase, IDEMPOTENCY_CONFLICT, SHUTTING_DOWN, ConnectionClosed, Conn,
                     bin_quantity, line_count, posting, setup_master_data, warehouse_entries, which)

NETWORK_ERRORS = (OSError, ConnectionClosed)


class Poster(threading.Thread):
    """Posts +1 whseItemJournal lines with unique idempotency keys, one at a time, on its own connection,
    reconnecting after a broken connection; records what was acknowledged."""

    def __init__(self, tid, path, stop, reconnect=True):
        super().__init__(daemon=True)
        self.tid = tid
        self.path = path
        self.stop = stop
        self.reconnect = reconnect
        self.acked = []           # keys with a success reply
        self.unacked = []         # keys sent (perhaps partly) without a reply
        self.refused = []         # (key, response) error replies
        self.sent_at = {}         # key -> time.monotonic() just before the send
        self.timeouts = []
        self.replayed_first = []  # keys whose first reply said replayed (never expected)
        self.n = 0

    def run(self):
        conn = None
        while not self.stop.is_set():
            if conn is None:
                try:
                    conn = Conn(self.path, timeout=20)
                except OSError:
                    if not self.reconnect:
                        return
                    time.sleep(0.005)
                    continue
            key = f"t{self.tid}-{self.n}"
            self.n += 1
            self.sent_at[key] = time.monotonic()
            try:
                r = conn.rpc("whseItemJournal.register", posting(key), id=key)
            except socket.timeout:
                self.timeouts.append(key)
                self.unacked.append(key)
                conn.close()
                conn = None
                continue
            except NETWORK_ERRORS:
                self.unacked.append(key)
                conn.close()
                conn = None
                if not self.reconnect:
                    return
                continue
            if "result" in r and r.get("id") == key:
                self.acked.append(key)
                if r["result"].get("replayed"):
                    self.replayed_first.append(key)
            else:
                self.refused.append((key, r))
        if conn is not None:
            conn.close()


def count_documents(conn):
    entries = warehouse_entries(conn, bin="A-01")
    return collections.Counter(e["documentNo"] for e in entries), entries


class DurabilityBase(DaemonTestCase):

    def check_books(self, conn, acked, unacked, refused_keys=()):
        """Every acknowledged posting is present exactly once, an unacknowledged one at most once, a refused one
        never; retrying the unacknowledged with the same key never doubles; the books balance afterwards."""
        counts, _ = count_documents(conn)
        sent = set(acked) | set(unacked) | set(refused_keys)
        strangers = [k for k in counts if k not in sent]
        self.assertEqual(strangers[:10], [], f"{len(strangers)} entries for postings never sent")
        missing = [k for k in acked if counts[k] == 0]
        self.assertEqual(missing[:10], [], f"{len(missing)} of {len(acked)} acknowledged postings are missing")
        doubled = [(k, c) for k, c in counts.items() if c > 1]
        self.assertEqual(doubled[:10], [], f"{len(doubled)} postings are present more than once")
        present_refused = [k for k in refused_keys if counts[k]]
        self.assertEqual(present_refused[:10], [], "postings refused with an error reply are present")
        # Retry the unacknowledged ones with the same idempotency key.
        present_before = {k for k in unacked if counts[k] == 1}
        for k in unacked:
            r = conn.rpc("whseItemJournal.register", posting(k), id=k, timeout=30)
            res = self.assertResult(r, id=k, msg=f"retrying unacknowledged posting {k}")
            if k in present_before:
                self.assertIs(res.get("replayed"), True, f"retry of {k} (already present) was not a replay: {r!r}")
            else:
                self.assertFalse(res.get("replayed", False), f"retry of {k} (absent) claims a replay: {r!r}")
        counts, _ = count_documents(conn)
        everything = set(acked) | set(unacked)
        wrong = [(k, counts[k]) for k in everything if counts[k] != 1]
        self.assertEqual(wrong[:10], [], f"after the retries {len(wrong)} postings are not present exactly once")
        self.assertEqual(sum(counts.values()), len(everything))
        self.assertEqual(bin_quantity(conn), len(everything), "A-01 does not hold one piece per posting")
        self.assertEqual(bin_quantity(conn, bin="ADJ"), -len(everything), "ADJ does not mirror A-01")
        v = conn.ok("server.verify", timeout=30)
        self.assertIs(v["ok"], True, v)
        return present_before


class SigkillUnderLoad(DurabilityBase):
    def test_sigkill_loop_with_8_posting_clients(self):
        seed = int(time.time() * 1000) % 1_000_000
        rnd = random.Random(seed)
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
        stop = threading.Event()
        posters = [Poster(i, d.socket, stop) for i in range(8)]
        for p in posters:
            p.start()
        statuses = []
        try:
            for round in range(5):
                time.sleep(rnd.uniform(0.3, 1.0))
                statuses.append(d.kill())
                time.sleep(rnd.uniform(0.0, 0.1))
                d.start()
            time.sleep(0.5)
        finally:
            stop.set()
            for p in posters:
                p.join(30)
        self.assertEqual(statuses, [-signal.SIGKILL] * 5)
        acked = [k for p in posters for k in p.acked]
        unacked = [k for p in posters for k in p.unacked]
        refused = [x for p in posters for x in p.refused]
        timeouts = [k for p in posters for k in p.timeouts]
        replayed = [k for p in posters for k in p.replayed_first]
        msg = f"(random seed {seed}; {len(acked)} acknowledged, {len(unacked)} unacknowledged)"
        self.assertEqual(refused[:5], [], f"postings refused {msg}")
        self.assertEqual(timeouts, [], f"postings without an answer for 20 s while whsed ran {msg}")
        self.assertEqual(replayed, [], f"first sends answered as replays {msg}")
        self.assertGreater(len(acked), 50, f"too few postings got through {msg}")
        with d.connect(timeout=30) as c:
            present = self.check_books(c, acked, unacked)
        print(f"\n  sigkill loop: {len(acked)} acknowledged, {len(unacked)} unacknowledged "
              f"({len(present)} of those present after restart); seed {seed}", end=" ")


class Idempotency(DurabilityBase):
    def test_same_key_same_params_replays_other_params_conflict(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            first = c.rpc("whseItemJournal.register", posting("K-1", 3), id=1)
            original = self.assertResult(first, id=1)
            self.assertNotIn("replayed", original)
            entries_before = warehouse_entries(c)
            self.assertEqual(len(entries_before), 2)
            self.assertEqual(bin_quantity(c), 3)
            # Same key, same params: the original result, marked replayed; nothing posted.
            again = self.assertResult(c.rpc("whseItemJournal.register", posting("K-1", 3), id=2), id=2)
            self.assertIs(again.get("replayed"), True, again)
            self.assertEqual({k: v for k, v in again.items() if k != "replayed"}, original)
            self.assertEqual(warehouse_entries(c), entries_before)
            self.assertEqual(bin_quantity(c), 3)
            # Same key, other params: idempotency_conflict (2002); nothing posted.
            r = c.rpc("whseItemJournal.register", posting("K-1", 4), id=3)
            self.assertError(r, IDEMPOTENCY_CONFLICT, "idempotency_conflict", id=3)
            self.assertEqual(r["error"]["data"].get("idempotencyKey"), "K-1", r)
            other_bin = posting("K-1", 3, bin="B-02")
            self.assertError(c.rpc("whseItemJournal.register", other_bin, id=4), IDEMPOTENCY_CONFLICT,
                             "idempotency_conflict", id=4)
            # Same key, another method.
            r = c.rpc("itemJournal.post", {"idempotencyKey": "K-1", "lines": [
                {"entryType": "positiveAdjmt", "location": "WH1", "item": "ITEM1", "quantity": 1}]}, id=5)
            self.assertError(r, IDEMPOTENCY_CONFLICT, "idempotency_conflict", id=5)
            self.assertEqual(warehouse_entries(c), entries_before)
            self.assertEqual(bin_quantity(c), 3)
            self.assertEqual(bin_quantity(c, bin="B-02"), 0)
            self.assertEqual(c.ok("server.status")["itemLedgerEntries"], 0)
            # Twice in one batch: the second is the replay of the first.
            r = c.call('[{"jsonrpc":"2.0","id":"a","method":"whseItemJournal.register","params":%s},'
                       '{"jsonrpc":"2.0","id":"b","method":"whseItemJournal.register","params":%s}]'
                       % (json.dumps(posting("K-2", 1)), json.dumps(posting("K-2", 1))))
            by_id = {x["id"]: x for x in r}
            self.assertNotIn("replayed", self.assertResult(by_id["a"]))
            self.assertIs(self.assertResult(by_id["b"]).get("replayed"), True, r)
            self.assertEqual(bin_quantity(c), 4)
        # The keys survive a SIGKILL and restart (they are replayed from the log).
        d.kill()
        d.start()
        with d.connect() as c:
            again = self.assertResult(c.rpc("whseItemJournal.register", posting("K-1", 3), id=6), id=6)
            self.assertIs(again.get("replayed"), True, again)
            self.assertEqual({k: v for k, v in again.items() if k != "replayed"}, original)
            self.assertError(c.rpc("whseItemJournal.register", posting("K-1", 5), id=7), IDEMPOTENCY_CONFLICT,
                             "idempotency_conflict", id=7)
            self.assertEqual(bin_quantity(c), 4)
            self.assertEqual(len(warehouse_entries(c)), 4)


class GracefulShutdown(DurabilityBase):
    def test_sigterm_with_postings_in_flight(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
        stop = threading.Event()
        posters = [Poster(i, d.socket, stop, reconnect=False) for i in range(8)]
        for p in posters:
            p.start()
        time.sleep(1.0)
        in_flight_at_term = sum(p.n for p in posters)
        status = d.terminate(timeout=30)
        stop.set()
        for p in posters:
            p.join(30)
        self.assertEqual(status, 0, f"whsed exit status after SIGTERM (None: still running after 30 s); log:\n"
                                    f"{d.log()}")
        acked = [k for p in posters for k in p.acked]
        unacked = [k for p in posters for k in p.unacked]
        refused = [x for p in posters for x in p.refused]
        for key, r in refused:
            self.assertError(r, SHUTTING_DOWN, "shutting_down", id=key, msg="a refusal while stopping")
        self.assertGreater(len(acked), 20, f"only {len(acked)} postings were acknowledged before SIGTERM")
        d.start()
        with d.connect(timeout=30) as c:
            present = self.check_books(c, acked, unacked, refused_keys=[k for k, _ in refused])
        print(f"\n  SIGTERM: {len(acked)} acknowledged, {len(refused)} refused shutting_down, {len(unacked)} "
              f"without reply ({len(present)} of those present)", end=" ")


class FsyncFailure(DurabilityBase):

    def test_failed_fdatasync_exits_74_without_acknowledging(self):
        so = self.build_shim("failsync.c")
        # Calibration: how many fsync/fdatasync calls a fresh whsed makes up to the end of the master data.
        base = self.calibrate_syncs(so)

        # The real run: the 25th sync after the master data fails with EIO.
        fail_at = base + 25
        d = self.new_daemon(subdir="fault")
        mark = os.path.join(d.dir, "fault.mark")
        sync_log = os.path.join(d.dir, "syncs.log")
        d.start(env={"LD_PRELOAD": so, "FAILSYNC_N": str(fail_at), "FAILSYNC_LOG": sync_log,
                     "FAILSYNC_MARK": mark})
        with d.connect() as c:
            setup_master_data(c)
        self.assertEqual(line_count(sync_log), base, "calibration did not carry over")
        stop = threading.Event()
        posters = [Poster(i, d.socket, stop, reconnect=False) for i in range(4)]
        for p in posters:
            p.start()
        status = d.wait_exit(30)
        stop.set()
        for p in posters:
            p.join(30)
        self.assertTrue(os.path.exists(mark), f"the shim never failed a sync; log:\n{d.log()}")
        with open(mark) as f:
            fault_n, fault_time = f.read().split()
        fault_time = float(fault_time)
        self.assertEqual(int(fault_n), fail_at)
        self.assertEqual(status, 74, f"whsed's exit status after a failed fdatasync (None: still running after "
                                     f"30 s); log:\n{d.log()}")
        acked = [k for p in posters for k in p.acked]
        unacked = [k for p in posters for k in p.unacked]
        refused = [x for p in posters for x in p.refused]
        sent_at = {k: t for p in posters for k, t in p.sent_at.items()}
        self.assertEqual(refused, [], "error replies while posting")
        self.assertGreater(len(acked), 0, "nothing was acknowledged before the fault")
        late = [(k, round(sent_at[k] - fault_time, 6)) for k in acked if sent_at[k] > fault_time]
        self.assertEqual(late, [], "postings sent after the failed fdatasync were acknowledged")
        # Nothing else got through after the fault: every sync after it failed too (the shim keeps failing),
        # so the only calls after the fault are failures.
        with open(sync_log) as f:
            after = [l.split() for l in f if int(l.split()[0]) >= fail_at]
        self.assertTrue(all(x[3] == "EIO" for x in after), after)

        # Restart without the shim: recovery, verify ok, every acknowledged posting present.
        d.start(env={})
        with d.connect(timeout=30) as c:
            v = c.ok("server.verify")
            self.assertIs(v["ok"], True, v)
            counts, _ = count_documents(c)
            self.assertEqual([k for k in acked if counts[k] != 1][:10], [],
                             "acknowledged postings missing after the restart")
            present = self.check_books(c, acked, unacked)
        print(f"\n  fsync failure: {len(acked)} acknowledged before the fault, {len(unacked)} unacknowledged "
              f"({len(present)} of those present after restart)", end=" ")


class ReplyAfterSync(DaemonTestCase):
    """Seen by strace: the record is written, then fdatasynced, and only then is the reply written."""

    def test_reply_written_only_after_fdatasync(self):
        strace = which("strace")
        if not strace:
            self.skipTest("strace is not installed")
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
        out = os.path.join(self.tmp, "strace.out")
        err = open(os.path.join(self.tmp, "strace.err"), "w+")
        self.addCleanup(err.close)
        st = subprocess.Popen([strace, "-f", "-p", str(d.pid), "-s", "1000", "-o", out, "-e",
                               "trace=fdatasync,fsync,write,writev,pwrite64,pwritev,pwritev2,sendmsg,sendto,read,"
                               "readv,recvfrom,recvmsg"], stdout=subprocess.DEVNULL, stderr=err)

        def stop_strace():
            if st.poll() is None:
                st.send_signal(signal.SIGINT)
                try:
                    st.wait(10)
                except subprocess.TimeoutExpired:
                    st.kill()
                    st.wait()
        self.addCleanup(stop_strace)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            err.seek(0)
            text = err.read()
            if "attached" in text or st.poll() is not None:
                break
            time.sleep(0.05)
        if st.poll() is not None or "attached" not in text:
            self.skipTest(f"strace cannot attach to whsed here: {text.strip()[:300]}")
        time.sleep(0.3)
        with d.connect() as c:
            for i in range(5):
                self.assertResult(c.rpc("whseItemJournal.register", posting(f"STRACE-DOC-{i}"), id=f"probe-{i}"),
                                  id=f"probe-{i}")
        time.sleep(0.3)
        stop_strace()
        with open(out, errors="replace") as f:
            lines = f.read().splitlines()
        sync_done = re.compile(r"(fdatasync|fsync)\(.*\)\s*=\s*0|<\.\.\. (fdatasync|fsync) resumed>.*=\s*0")
        for i in range(5):
            doc = f"STRACE-DOC-{i}"
            probe = f'\\"probe-{i}\\"'
            # A read another thread's syscall interrupted shows its data on the "<... read resumed>" line.
            req = next((n for n, l in enumerate(lines) if probe in l and re.search(
                r"\b(read|readv|recvfrom|recvmsg)\(|<\.\.\. (read|readv|recvfrom|recvmsg) resumed>", l)), None)
            rec = next((n for n, l in enumerate(lines) if doc in l and re.search(r"\b(pwrite64|pwritev2?|write|writev)\(", l)
                        and "probe-" not in l and n > (req or 0)), None)
            reply = next((n for n, l in enumerate(lines) if probe in l and re.search(r"\b(write|writev|sendmsg|sendto)\(", l)
                          and '\\"result\\"' in l), None)
            ctx = "\n".join(lines[max(0, (req or 0) - 2):(reply or len(lines)) + 2])[-3000:]
            self.assertIsNotNone(req, f"strace shows no read of request {i}")
            self.assertIsNotNone(rec, f"strace shows no write of the log record of posting {i}:\n{ctx}")
            self.assertIsNotNone(reply, f"strace shows no reply to posting {i}:\n{ctx}")
            self.assertLess(req, rec)
            self.assertLess(rec, reply, f"the reply to posting {i} was written before its record:\n{ctx}")
            syncs = [n for n in range(rec + 1, reply) if sync_done.search(lines[n])]
            self.assertTrue(syncs, f"no completed fdatasync between the record of posting {i} and its reply:\n{ctx}")


if __name__ == "__main__":
    unittest.main()
