"""The committed view (protocol.md 10): reads see only postings whose fdatasync has returned, and long reads run on
the read pool, so that they hold up neither postings nor reads on other connections."""

import os
import select
import time

from harness import DaemonTestCase, posting, request, setup_master_data, bin_quantity, warehouse_entries, \
    INVALID_PARAMS


class NoReadBeforeSync(DaemonTestCase):
    def test_a_read_from_another_connection_cannot_see_a_posting_until_its_sync_returns(self):
        so = self.build_shim("holdsync.c")
        flag = os.path.join(self.tmp, "hold")
        waiting = os.path.join(self.tmp, "waiting")
        d = self.start_daemon(env={"LD_PRELOAD": so, "HOLDSYNC_FLAG": flag, "HOLDSYNC_WAITING": waiting},
                              subdir="d")
        with d.connect() as poster, d.connect() as reader:
            setup_master_data(poster)
            poster.ok("whseItemJournal.register", posting("before"))
            self.assertEqual(bin_quantity(reader), 1)
            entries_before = reader.ok("server.status")["warehouseEntries"]
            per_posting = len(warehouse_entries(reader, documentNo="before"))
            open(flag, "w").close()
            poster.send(request("whseItemJournal.register", posting("held", quantity=5), id="held"))
            deadline = time.monotonic() + 20
            while not os.path.exists(waiting):
                self.assertLess(time.monotonic(), deadline, "the posting's sync never began")
                time.sleep(0.01)
            # The posting is applied and appended; its fdatasync is held. Twice, some time apart: not a lucky race.
            for _ in range(2):
                self.assertEqual(bin_quantity(reader), 1, "a read saw a posting whose sync has not returned")
                self.assertEqual(warehouse_entries(reader, documentNo="held"), [])
                status = reader.ok("server.status")
                self.assertEqual(status["warehouseEntries"], entries_before)
                self.assertTrue(reader.ok("server.verify")["ok"])
                time.sleep(0.3)
            self.assertTrue(poster.nothing_more(0.2), "the posting was acknowledged before its sync")
            os.unlink(flag)
            reply = poster.recv(timeout=20)
            self.assertIn("result", reply, reply)
            # Once acknowledged, every connection sees it.
            self.assertEqual(bin_quantity(reader), 6)
            self.assertEqual(len(warehouse_entries(reader, documentNo="held")), per_posting)
            self.assertEqual(reader.ok("server.status")["warehouseEntries"], entries_before + per_posting)


class LongReadsDoNotBlock(DaemonTestCase):
    def test_a_batch_of_scans_on_one_connection_holds_up_no_other_connection(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            lines = [{"item": "ITEM1", "bin": "A-01", "quantity": 1}] * 5000
            for i in range(4):
                c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": f"bulk-{i}", "lines": lines},
                     id=i, timeout=120)
        # Filtered by entry type alone (no warehouse entry is a transfer): a scan of the whole ledger, as the entry
        # index answers filters on codes without one.
        scans = [request("entries.warehouse", {"entryType": "transfer", "limit": 10}, id=i)
                 for i in range(150)]
        scans.append(request("server.verify", id="verify"))
        others = [d.connect(timeout=60) for _ in range(3)]
        try:
            with d.connect(timeout=300) as scanner:
                started = time.monotonic()
                scanner.send(scans)
                latencies = []
                n = 0
                while not select.select([scanner.sock], [], [], 0)[0]:
                    for o in others:
                        t = time.monotonic()
                        o.ok("whseItemJournal.register", posting(f"p-{n}"), id=n)
                        self.assertGreaterEqual(bin_quantity(o), 20000)
                        latencies.append(time.monotonic() - t)
                        n += 1
                replies = scanner.recv(timeout=300)
                scanning = time.monotonic() - started
            self.assertEqual(len(replies), len(scans))
            self.assertTrue(all("result" in r for r in replies), replies[:3])
            if scanning < 0.5:
                self.skipTest(f"the scans took only {scanning:.3f} s: too quick on this machine to show anything")
            latencies.sort()
            median, worst = latencies[len(latencies) // 2], latencies[-1]
            # Orders of magnitude, not a timing race: blocked, a connection would wait for the whole batch.
            self.assertLess(worst, scanning / 4,
                            f"a posting and read waited {worst:.3f} s while the scans took {scanning:.3f} s")
            self.assertLess(median, scanning / 20,
                            f"median posting and read {median:.3f} s while the scans took {scanning:.3f} s")
            self.assertGreaterEqual(len(latencies), 6)
            # The read pool's threads ran the scans at nice 10, and the entry index's thread runs at nice 10; the
            # writer, the event loops and the rest stay at 0 or less.
            nice = {}
            for tid in os.listdir(f"/proc/{d.pid}/task"):
                with open(f"/proc/{d.pid}/task/{tid}/stat") as f:
                    stat = f.read()
                comm = stat[stat.index("(") + 1:stat.rindex(")")]
                nice.setdefault(comm, set()).add(int(stat[stat.rindex(")") + 2:].split()[16]))
            pool = {c: n for c, n in nice.items() if c.startswith("TP-")}
            self.assertTrue(pool and all(n == {10} for n in pool.values()), nice)
            self.assertTrue(any(c.startswith("NIO-ELT") for c in nice), nice)
            self.assertEqual(nice.get("whsed-indexer"), {10}, nice)
            self.assertTrue(all(max(n) <= 0 for c, n in nice.items()
                                if not c.startswith("TP-") and c != "whsed-indexer"), nice)
        finally:
            for o in others:
                o.close()


class PostingsAreDecodedBeforeTheWriter(DaemonTestCase):
    def test_a_posting_with_bad_params_is_refused_while_the_writer_is_stuck_in_a_sync(self):
        # The writer receives typed commands: a posting's params are decoded on its connection's event loop, so a
        # request that does not decode is refused at once, even while the writer cannot take anything.
        so = self.build_shim("stallsync.c")
        flag = os.path.join(self.tmp, "stall-sync")
        mark = os.path.join(self.tmp, "sync-stalled")
        d = self.start_daemon(env={"LD_PRELOAD": so, "STALLSYNC_FLAG": flag, "STALLSYNC_MARK": mark})
        with d.connect() as c:
            setup_master_data(c)
        open(flag, "w").close()
        stuck = d.connect(timeout=60)
        self.addCleanup(stuck.close)
        stuck.send(request("whseItemJournal.register", posting("stuck"), id="stuck"))
        deadline = time.monotonic() + 10
        while not os.path.exists(mark) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(os.path.exists(mark), f"the posting's fdatasync never reached the shim; log:\n{d.log()}")
        try:
            with d.connect(timeout=5) as c:
                bad = dict(posting("bad"), lines=[{"item": "ITEM1", "bin": "A-01", "quantity": "one"}])
                t = time.monotonic()
                self.assertError(c.rpc("whseItemJournal.register", bad, id="bad"), INVALID_PARAMS, "invalid_params",
                                 id="bad")
                self.assertLess(time.monotonic() - t, 2.0)
                unknown = dict(posting("unknown"), colour="red")
                self.assertError(c.rpc("whseItemJournal.register", unknown, id="u"), INVALID_PARAMS,
                                 "invalid_params", id="u")
            self.assertTrue(os.path.exists(flag), "the writer was released before the refusals came")
        finally:
            os.unlink(flag)
        self.assertIn("result", stuck.recv(timeout=30))


class CheckpointsDoNotStallPostings(DaemonTestCase):
    def test_postings_are_acknowledged_while_the_snapshot_file_is_being_synced(self):
        # The snapshot is encoded, written to its .snap.tmp file and fsynced off the writer; the writer only renames it
        # into place between two batches. Hold the fsync of the .snap.tmp file alone (the log's own syncs go on): the
        # checkpoint waits, postings do not.
        so = self.build_shim("holdsync.c")
        flag = os.path.join(self.tmp, "hold")
        waiting = os.path.join(self.tmp, "waiting")
        d = self.start_daemon(env={"LD_PRELOAD": so, "HOLDSYNC_FLAG": flag, "HOLDSYNC_WAITING": waiting,
                                   "HOLDSYNC_SUFFIX": ".snap.tmp"}, subdir="d")
        with d.connect() as admin, d.connect() as poster:
            setup_master_data(admin)
            admin.ok("whseItemJournal.register", posting("before"))
            open(flag, "w").close()
            admin.send(request("server.checkpoint", id="checkpoint"))
            deadline = time.monotonic() + 20
            while not os.path.exists(waiting):
                self.assertLess(time.monotonic(), deadline, "the snapshot's fsync never began")
                time.sleep(0.01)
            # The snapshot's sync is held: 30 postings still go through, each acknowledged (synced) and visible.
            for i in range(30):
                t = time.monotonic()
                reply = poster.rpc("whseItemJournal.register", posting(f"during-{i}"), id=i, timeout=10)
                self.assertIn("result", reply, f"a posting during the held snapshot sync: {reply}")
                self.assertLess(time.monotonic() - t, 2.0, "a posting waited for the snapshot's fsync")
            self.assertEqual(bin_quantity(poster), 31)
            self.assertTrue(admin.nothing_more(0.2), "the checkpoint answered before its file was synced")
            os.unlink(flag)
            reply = admin.recv(timeout=30)
            self.assertTrue(reply.get("result", {}).get("written"), reply)
            status = admin.ok("server.status")
            self.assertEqual(status["log"]["checkpoints"], 1)
            self.assertFalse([n for n in os.listdir(d.state) if n.endswith(".tmp")], "a temporary file was left")
        # The snapshot covers the posting before the checkpoint; the log the 30 after: all there after a SIGKILL.
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertEqual(bin_quantity(c), 31)
            self.assertTrue(c.ok("server.verify")["ok"])
