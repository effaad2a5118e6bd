"""Life-cycle behaviour: exit after an idle period, and a full disk (ENOSPC) that refuses postings cleanly while
reads go on, then recovers when space returns."""

import os
import threading
import time

from harness import DaemonTestCase, posting, setup_master_data, bin_quantity, warehouse_entries

STORAGE_FULL = 3001


class IdleExit(DaemonTestCase):
    def test_exits_cleanly_after_the_idle_period_and_not_while_used(self):
        d = self.start_daemon(["--exit-idle-after", "2"])
        with d.connect() as c:
            setup_master_data(c)
            # A connection open for longer than the idle period keeps whsed alive.
            time.sleep(3)
            self.assertTrue(d.alive(), "whsed exited while a connection was open")
            c.ok("whseItemJournal.register", posting("idle-1"))
        status = d.wait_exit(8)
        self.assertEqual(status, 0, f"whsed did not exit cleanly after 2 s idle (status {status}); log:\n{d.log()}")
        self.assertIn("no connection for 2 s", d.log())
        # The socket brings it back (here: by hand) with the books intact.
        d.start()
        with d.connect() as c:
            self.assertEqual(bin_quantity(c), 1)


class DiskFull(DaemonTestCase):
    def test_enospc_refuses_postings_keeps_reads_and_recovers(self):
        so = self.build_shim("enospc.c")
        flag = os.path.join(self.tmp, "disk-full")
        d = self.start_daemon(env={"LD_PRELOAD": so, "ENOSPC_FLAG": flag}, subdir="d")
        with d.connect() as c:
            setup_master_data(c)
            c.ok("whseItemJournal.register", posting("before"))
            open(flag, "w").close()
            for i in range(3):
                resp = c.rpc("whseItemJournal.register", posting(f"full-{i}"), id=f"full-{i}")
                self.assertIn("error", resp, resp)
                self.assertEqual(resp["error"]["code"], STORAGE_FULL, resp)
                self.assertEqual(resp["error"]["data"]["reason"], "storage_full", resp)
            # A repeat that lands in the same group commit as its original (another connection sending the same
            # key at the same moment) shares the original's fate: refused too, never answered as "replayed".
            conns = [d.connect() for _ in range(8)]
            try:
                for r in range(6):
                    key = f"race-{r}"
                    gate = threading.Barrier(len(conns))
                    replies = [None] * len(conns)

                    def send(i, conn):
                        gate.wait()
                        replies[i] = conn.rpc("whseItemJournal.register", posting(key), id=i)

                    threads = [threading.Thread(target=send, args=(i, k)) for i, k in enumerate(conns)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                    for resp in replies:
                        self.assertIn("error", resp, resp)
                        self.assertEqual(resp["error"]["data"]["reason"], "storage_full", resp)
            finally:
                for k in conns:
                    k.close()
            # Reads go on, and see nothing of the refused postings.
            self.assertEqual(bin_quantity(c), 1)
            self.assertTrue(c.ok("server.verify")["ok"])
            self.assertTrue(d.alive())
            os.unlink(flag)
            c.ok("whseItemJournal.register", posting("after"))
            # A refused key was never remembered: it posts now.
            c.ok("whseItemJournal.register", posting("full-0"))
            self.assertEqual(bin_quantity(c), 3)
        d.kill()
        d.start(env={})
        with d.connect() as c:
            docs = sorted(e["documentNo"] for e in warehouse_entries(c, bin="A-01"))
            self.assertEqual(docs, ["after", "before", "full-0"])
            self.assertTrue(c.ok("server.verify")["ok"])
