"""The change feed (protocol.md 13.7): `entries.follow` sends every committed record once, in sequence order without
gaps, never before its fdatasync; a follower resumes from its cursor after whsed is killed; a slow follower is dropped
with its reason; a cursor older than the retained records gets cursor_too_old."""

import json
import os
import socket
import subprocess
import threading
import time

from harness import BIN_DIR, DaemonTestCase, ConnectionClosed, posting, request, setup_master_data, warehouse_entries, \
    INVALID_REQUEST

CURSOR_TOO_OLD = 2003
LOG_EPOCH_CHANGED = 2004
CURSOR_AHEAD = 2005


class Follower:
    """A connection following the feed; collects the notifications by kind."""

    def __init__(self, daemon, after=0, epoch=None, heartbeat=None, timeout=20):
        self.conn = daemon.connect(timeout=timeout)
        params = {"afterSeq": after}
        if epoch is not None:
            params["logEpoch"] = epoch
        if heartbeat is not None:
            params["heartbeatMillis"] = heartbeat
        self.reply = self.conn.rpc("entries.follow", params, id="follow", timeout=timeout)
        self.committed = []
        self.availability = []
        self.heartbeats = []
        self.ended = None

    @property
    def result(self):
        return self.reply["result"]

    def next(self, timeout=20):
        m = self.conn.recv(timeout=timeout)
        kind = m.get("method")
        if kind == "entries.committed":
            self.committed.append(m["params"])
        elif kind == "entries.availability":
            self.availability.append(m["params"])
        elif kind == "entries.heartbeat":
            self.heartbeats.append(m["params"])
        elif kind == "entries.followEnded":
            self.ended = m["params"]
        else:
            raise AssertionError(f"unexpected line on a follow stream: {m!r}")
        return m

    def until_seq(self, seq, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.committed or self.committed[-1]["seq"] < seq:
            left = deadline - time.monotonic()
            if left <= 0:
                last = self.committed[-1]["seq"] if self.committed else None
                raise AssertionError(f"the follower reached sequence {last}, not {seq}")
            self.next(timeout=left)
        return self.committed

    @property
    def seqs(self):
        return [c["seq"] for c in self.committed]

    def close(self):
        self.conn.close()


class FollowTest(DaemonTestCase):
    def daemon(self, *args, subdir=None, env=None):
        return self.start_daemon(args=["--site-id", "site-A"] + list(args), subdir=subdir, env=env)

    def assertGapless(self, seqs, first=1):
        self.assertEqual(seqs, list(range(first, first + len(seqs))), "sequence numbers skip or repeat")


class OrderAndGaps(FollowTest):
    def test_many_posters_one_gapless_stream_with_every_entry_once(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
        f = Follower(d)
        self.assertEqual(f.result["siteId"], "site-A")
        self.assertEqual(f.result["afterSeq"], 0)
        epoch = f.result["logEpoch"]
        errors = []

        def poster(n):
            try:
                with d.connect(timeout=60) as c:
                    for i in range(40):
                        c.ok("whseItemJournal.register", posting(f"p{n}-{i}", quantity=1 + i % 3), id=i, timeout=60)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=poster, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        # Read while they post: the live path, not only catch-up.
        while any(t.is_alive() for t in threads):
            try:
                f.next(timeout=0.2)
            except socket.timeout:
                pass
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        total = 5 + 8 * 40
        f.until_seq(total)
        self.assertGapless(f.seqs)
        self.assertEqual(len(f.seqs), total)
        for c in f.committed:
            self.assertEqual((c["siteId"], c["logEpoch"]), ("site-A", epoch))
        # The master data first, with their params.
        self.assertEqual([c["method"] for c in f.committed[:5]],
                         ["location.create", "zone.create", "bin.create", "bin.create", "item.create"])
        self.assertEqual(f.committed[0]["masterData"]["params"]["code"], "WH1")
        # Every warehouse entry of the books exactly once, in entry order, each under the posting that wrote it.
        streamed = [e for c in f.committed for e in c["warehouseEntries"]]
        with d.connect() as c:
            books = warehouse_entries(c)
        self.assertEqual([e["entryNo"] for e in streamed], [e["entryNo"] for e in books])
        self.assertEqual(len(streamed), len(books))
        for c in f.committed[5:]:
            docs = {e["documentNo"] for e in c["warehouseEntries"]}
            self.assertEqual(len(docs), 1, c)
        # An availability event follows each posting, for the item at its location.
        f.conn.sock.settimeout(5)
        while len(f.availability) < 8 * 40:
            f.next(timeout=5)
        self.assertEqual(sorted(a["seq"] for a in f.availability), list(range(6, total + 1)))
        for a in f.availability:
            self.assertEqual([(r["location"], r["item"], r["lot"]) for r in a["rows"]], [("WH1", "ITEM1", None)])
            self.assertGreater(a["rows"][0]["availableToPick"], 0)
            self.assertIn("availableToReserve", a["rows"][0])
        f.close()

    def test_reservations_and_lot_blocks_bring_availability_events_that_survive_a_restart(self):
        # Postings without entries that change what can be picked or reserved: each gets an entries.availability
        # (announced by availabilityFollows) with the item row and the lot row, at the levels after it.
        d = self.daemon("--checkpoint-every", "4")
        with d.connect() as c:
            setup_master_data(c)
            c.ok("item.create", {"no": "LOT1", "tracking": {"lot": True}})
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "IN", "lines": [
                {"item": "LOT1", "bin": "A-01", "quantity": 10, "lot": "L1"},
                {"item": "LOT1", "bin": "B-02", "quantity": 4, "lot": "L2"}]})
            first = int(c.ok("server.status")["log"]["lastSequence"]) + 1
        f = Follower(d, after=first - 1)
        steps = [
            # (method, params, {lot or None: (availableToPick, availableToReserve)} just after it)
            ("reservation.create", {"location": "WH1", "item": "LOT1", "quantity": 3, "lot": "L1", "source": "SO-1"},
             {None: (14, 11), "L1": (10, 7)}),
            ("itemTracking.setBlocked", {"item": "LOT1", "lot": "L2", "blocked": True},
             {None: (10, 11), "L2": (0, 0)}),
            ("reservation.cancel", {"reservation": 1}, {None: (10, 14), "L1": (10, 10)}),
            ("itemTracking.setBlocked", {"item": "LOT1", "lot": "L2", "blocked": False},
             {None: (14, 14), "L2": (4, 4)}),
        ]
        last = first + len(steps) - 1
        with d.connect() as c:
            for i, (method, params, rows) in enumerate(steps):
                c.ok(method, params)
                # One at a time: the levels are read when the event is sent, so nothing else is committed yet.
                while not f.availability or f.availability[-1]["seq"] < first + i:
                    f.next()
                a = f.availability[-1]
                self.assertEqual((a["seq"], a["asOfSeq"]), (first + i, first + i))
                got = {r["lot"]: (r["availableToPick"], r["availableToReserve"]) for r in a["rows"]}
                self.assertEqual(got, rows, f"{method}: {a}")
                self.assertEqual({r["location"] for r in a["rows"]}, {"WH1"})
                self.assertTrue(f.committed[-1]["availabilityFollows"])
                self.assertEqual(f.committed[-1]["warehouseEntries"], [])
            # item.availability with lots: the item row and the lot rows the feed sends, now.
            loc = c.ok("item.availability", {"item": "LOT1", "lots": True})["locations"]
            self.assertEqual([(x["location"], x["availableToPick"], x["availableToReserve"]) for x in loc],
                             [("WH1", 14, 14)])
            self.assertEqual(loc[0]["lots"], [{"lot": "L1", "availableToPick": 10, "availableToReserve": 10},
                                              {"lot": "L2", "availableToPick": 4, "availableToReserve": 4}])
            self.assertNotIn("lots", c.ok("item.availability", {"item": "LOT1"})["locations"][0])
        f.close()
        # After kill -9 and a restart (the index files, the snapshots of --checkpoint-every, the replay), the same
        # records bring the same events again, with the levels of now.
        d.kill()
        d.start()
        f = Follower(d, after=0)
        f.until_seq(last)
        while not f.availability or f.availability[-1]["seq"] < last:
            f.next()
        committed = {c["seq"]: c for c in f.committed}
        events = {a["seq"]: a for a in f.availability if a["seq"] >= first}
        self.assertEqual(sorted(events), list(range(first, last + 1)))
        for i, (_, _, rows) in enumerate(steps):
            self.assertTrue(committed[first + i]["availabilityFollows"])
            self.assertEqual({r["lot"] for r in events[first + i]["rows"]}, set(rows))
        # A master-data change that does not touch availability has none.
        self.assertNotIn("availabilityFollows", committed[1])
        f.close()

    def test_heartbeats_carry_the_durable_sequence(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
        f = Follower(d, heartbeat=100)
        f.until_seq(5)
        while not f.heartbeats:
            f.next(timeout=5)
        hb = f.heartbeats[-1]
        self.assertEqual((hb["durableSeq"], hb["sentSeq"], hb["siteId"]), (5, 5, "site-A"))
        f.close()

    def test_a_follow_in_a_batch_is_refused_and_a_cursor_ahead_is_refused(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
            r = c.call([request("entries.follow", {"afterSeq": 0}, id=1)])
            self.assertError(r[0], INVALID_REQUEST)
            self.assertError(c.rpc("entries.follow", {"afterSeq": 6}), CURSOR_AHEAD, "cursor_ahead")
            # The connection still answers: the refusals turned nothing into a stream.
            self.assertEqual(c.ok("server.status")["warehouseEntries"], 0)


class NothingBeforeSync(FollowTest):
    def test_a_record_is_not_sent_until_its_sync_returns(self):
        so = self.build_shim("holdsync.c")
        flag = os.path.join(self.tmp, "hold")
        waiting = os.path.join(self.tmp, "waiting")
        d = self.daemon(subdir="d", env={"LD_PRELOAD": so, "HOLDSYNC_FLAG": flag, "HOLDSYNC_WAITING": waiting})
        with d.connect() as poster:
            setup_master_data(poster)
            f = Follower(d, heartbeat=100)
            f.until_seq(5)
            open(flag, "w").close()
            poster.send(request("whseItemJournal.register", posting("held", quantity=5), id="held"))
            deadline = time.monotonic() + 20
            while not os.path.exists(waiting):
                self.assertLess(time.monotonic(), deadline, "the posting's sync never began")
                time.sleep(0.01)
            # Applied and appended, its fdatasync held: heartbeats go on, the record does not come.
            beats = len(f.heartbeats)
            end = time.monotonic() + 0.8
            while time.monotonic() < end:
                try:
                    f.next(timeout=0.1)
                except socket.timeout:
                    pass
            self.assertEqual(f.seqs[-1], 5, "a record was sent before its sync returned")
            self.assertGreater(len(f.heartbeats), beats, "no heartbeat while the sync was held")
            self.assertTrue(all(h["durableSeq"] == 5 for h in f.heartbeats))
            os.unlink(flag)
            self.assertIn("result", poster.recv(timeout=20))
            f.until_seq(6)
            self.assertEqual(f.committed[-1]["warehouseEntries"][-1]["documentNo"], "held")
            f.close()


class ResumeAfterKill(FollowTest):
    def test_a_cursor_resumes_across_sigkill_and_restart_and_no_seq_is_reused(self):
        d = self.daemon("--checkpoint-every", "50")
        with d.connect() as c:
            setup_master_data(c)
            for i in range(120):
                c.ok("whseItemJournal.register", posting(f"a{i}"), id=i)
        f = Follower(d)
        epoch = f.result["logEpoch"]
        first = {c["seq"]: c for c in f.until_seq(125)}
        f.close()
        d.kill()
        d.start()
        # The same cursor, the same epoch: the stream goes on where it stopped, and the records already seen are
        # the same records when read again (from the index files, across the snapshots of --checkpoint-every).
        f = Follower(d, after=0, epoch=epoch)
        self.assertEqual(f.result["oldestSeq"], 1)
        again = f.until_seq(125)
        self.assertEqual([c["seq"] for c in again], list(range(1, 126)))
        for c in again:
            self.assertEqual(c, first[c["seq"]])
        f.close()
        f = Follower(d, after=125, epoch=epoch)
        with d.connect() as c:
            for i in range(10):
                c.ok("whseItemJournal.register", posting(f"b{i}"), id=i)
        f.until_seq(135)
        self.assertEqual(f.seqs, list(range(126, 136)))
        self.assertEqual({e["documentNo"] for c in f.committed for e in c["warehouseEntries"]},
                         {f"b{i}" for i in range(10)})
        f.close()

    def test_records_committed_but_not_yet_indexed_are_rebuilt_from_the_log(self):
        # The index files are written after each sync without one of their own: a kill can leave them behind the
        # log; start-up rebuilds the difference from the replay. Simulated by cutting the files.
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
            for i in range(20):
                c.ok("whseItemJournal.register", posting(f"a{i}"), id=i)
        d.kill()
        for name in os.listdir(d.state):
            if name.startswith("follow-") and name.endswith(".jsonl"):
                path = os.path.join(d.state, name)
                with open(path, "rb") as fh:
                    data = fh.read()
                with open(path, "wb") as fh:
                    fh.write(data[:len(data) // 2])   # a torn line in the middle
        d.start()
        f = Follower(d)
        self.assertGapless(f.until_seq(25) and f.seqs)
        self.assertEqual(len(f.seqs), 25)
        f.close()

    def test_a_new_epoch_after_a_restore_that_lost_history(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
            backup = c.ok("server.backup")
        f = Follower(d)
        epoch = f.result["logEpoch"]
        f.close()
        d.terminate()
        # A restore: the state folder replaced by an older copy (here: without the epoch file, as a backup is).
        os.unlink(os.path.join(d.state, "follow-epoch"))
        d.start()
        with d.connect() as c:
            r = c.rpc("entries.follow", {"afterSeq": 5, "logEpoch": epoch})
            self.assertError(r, LOG_EPOCH_CHANGED, "log_epoch_changed")
            self.assertNotEqual(r["error"]["data"]["logEpoch"], epoch)
        self.assertIn("sequence", backup)
        d.terminate()
        d.start(args=["--site-id", "site-A", "--new-log-epoch"])
        with d.connect() as c:
            self.assertNotEqual(c.ok("entries.follow", {"afterSeq": 5})["logEpoch"], r["error"]["data"]["logEpoch"])


class SlowFollower(FollowTest):
    def test_a_follower_that_does_not_read_is_dropped_and_resumes_from_its_cursor(self):
        d = self.daemon("--max-follower-pending-bytes", "65536")
        with d.connect() as c:
            setup_master_data(c)
        slow = Follower(d)
        slow.until_seq(5)
        slow.conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        lines = [{"item": "ITEM1", "bin": "A-01", "quantity": 1}] * 50
        with d.connect(timeout=60) as c:
            for i in range(200):
                c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": f"big-{i}", "lines": lines},
                     id=i, timeout=60)
                if "follower_too_slow" in d.log():
                    break
        deadline = time.monotonic() + 30
        while "follower_too_slow" not in d.log():
            self.assertLess(time.monotonic(), deadline, "the slow follower was not dropped")
            time.sleep(0.1)
        # Now it reads: the events it was sent, then the reason, then the end of the connection.
        try:
            while slow.ended is None:
                slow.next(timeout=10)
        except ConnectionClosed:
            pass
        self.assertIsNotNone(slow.ended, "no followEnded notification before the connection closed")
        self.assertEqual(slow.ended["reason"], "follower_too_slow")
        self.assertEqual(slow.ended["maxFollowerPendingBytes"], 65536)
        self.assertGapless(slow.seqs)
        cursor = slow.seqs[-1]
        total = 5 + i + 1
        self.assertLess(cursor, total)
        # It resumes from its cursor and catches up (catching up is paced, never dropped).
        again = Follower(d, after=cursor, epoch=slow.result["logEpoch"])
        again.until_seq(total)
        self.assertEqual(again.seqs, list(range(cursor + 1, total + 1)))
        again.close()
        slow.close()


class OldCursor(FollowTest):
    def test_a_cursor_older_than_the_retained_records_gets_cursor_too_old(self):
        d = self.daemon("--follow-retain-records", "10")
        with d.connect() as c:
            setup_master_data(c)
            for i in range(25):
                c.ok("whseItemJournal.register", posting(f"a{i}"), id=i)
            r = c.rpc("entries.follow", {"afterSeq": 3})
            self.assertError(r, CURSOR_TOO_OLD, "cursor_too_old")
            self.assertEqual(r["error"]["data"]["oldestSeq"], 21)
        # The oldest retained record's predecessor is a valid cursor.
        f = Follower(d, after=20)
        self.assertEqual(f.result["oldestSeq"], 21)
        self.assertEqual(f.until_seq(30) and f.seqs, list(range(21, 31)))
        f.close()
        # Retention holds across a restart too.
        d.kill()
        d.start()
        with d.connect() as c:
            r = c.rpc("entries.follow", {"afterSeq": 0})
            self.assertError(r, CURSOR_TOO_OLD, "cursor_too_old")
            self.assertEqual(r["error"]["data"]["oldestSeq"], 21)



class WhsectlFollow(FollowTest):
    WHSECTL = os.path.join(BIN_DIR, "whsectl")

    def test_once_drains_what_is_committed_and_exits(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
            for i in range(20):
                c.ok("whseItemJournal.register", posting(f"a{i}"), id=i)
        r = subprocess.run([self.WHSECTL, "--socket", d.socket, "entries", "follow", "--once", "--format", "jsonl"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        committed = [m["params"]["seq"] for m in lines if m["method"] == "entries.committed"]
        self.assertEqual(committed, list(range(1, 26)))
        availability = [m["params"]["seq"] for m in lines if m["method"] == "entries.availability"]
        self.assertEqual(availability, list(range(6, 26)), "the last record's availability must come before exit")
        # From a cursor: only what follows it; at the head: nothing, at once.
        r = subprocess.run([self.WHSECTL, "--socket", d.socket, "entries", "follow", "--once", "--after", "23"],
                           capture_output=True, timeout=60)
        self.assertEqual([json.loads(x)["params"]["seq"] for x in r.stdout.splitlines()
                          if b"entries.committed" in x], [24, 25])
        started = time.monotonic()
        r = subprocess.run([self.WHSECTL, "--socket", d.socket, "entries", "follow", "--once", "--after", "25"],
                           capture_output=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (0, b""))
        self.assertLess(time.monotonic() - started, 5)
        # A cursor too far ahead is whsed's refusal: status 1, the reason on stderr.
        r = subprocess.run([self.WHSECTL, "--socket", d.socket, "entries", "follow", "--after", "99"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"cursor_ahead", r.stderr)

    def test_a_closed_pipe_ends_it_with_status_0(self):
        d = self.daemon()
        with d.connect() as c:
            setup_master_data(c)
        # head -1 takes the first record and goes: whsectl notices at its next write or heartbeat, on a quiet site.
        cmd = f"set -o pipefail; '{self.WHSECTL}' --socket '{d.socket}' entries follow | head -1"
        started = time.monotonic()
        r = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["params"]["seq"], 1)
        self.assertLess(time.monotonic() - started, 10)
        # While records keep coming, too.
        stop = threading.Event()

        def post():
            with d.connect() as c:
                i = 0
                while not stop.is_set():
                    c.ok("whseItemJournal.register", posting(f"x{i}"), id=i)
                    i += 1

        t = threading.Thread(target=post)
        t.start()
        try:
            cmd = f"set -o pipefail; '{self.WHSECTL}' --socket '{d.socket}' entries follow --after 5 | head -3"
            r = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=60)
        finally:
            stop.set()
            t.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), 3)
        self.assertEqual(r.stderr, b"")


if __name__ == "__main__":
    import unittest
    unittest.main()
