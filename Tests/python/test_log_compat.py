"""Logs written by earlier releases still replay (docs/on-disk-format.md): a state folder written by commit ff491a0,
before log records carried a version, kept in Tests/fixtures/log-v1, is replayed by this build to the same books, and
its idempotency keys still answer (a repeat is replayed, a changed request is a conflict)."""

import os
import shutil
import subprocess
import unittest

from harness import DaemonTestCase, WHSED, posting, warehouse_entries

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "log-v1")


class LogFormatOne(DaemonTestCase):
    def copy_fixture(self, d):
        os.makedirs(d.state, exist_ok=True)
        shutil.copy(os.path.join(FIXTURE, "log-0000000000000001.wal"), d.state)

    def test_a_version_one_log_replays_to_the_same_books(self):
        d = self.new_daemon()
        self.copy_fixture(d)
        r = subprocess.run([WHSED, "--verify", d.state], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("21 records", r.stdout + r.stderr)
        d.start()
        with d.connect() as c:
            status = c.ok("server.status")
            self.assertEqual(status["warehouseEntries"], 19, status)
            self.assertEqual(status["itemLedgerEntries"], 3, status)
            self.assertIs(c.ok("server.verify")["ok"], True)
            rows = c.ok("bin.contents", {"location": "WH1", "bin": "A-01"})["rows"]
            self.assertEqual([(r["item"], r["quantity"]) for r in rows], [("ITEM1", 20)])
            lots = c.ok("bin.contents", {"location": "BAS", "bin": "S1"})["rows"]
            self.assertEqual([(r["item"], r["unitOfMeasure"], r["quantity"], r["lot"]) for r in lots],
                             [("LOT1", "PCS", 15, "L-7")])
            self.assertEqual(len(warehouse_entries(c, documentNo="reg-3")), 2)
            # The keys logged in format 1 still answer: the same request is replayed, a changed one is refused.
            again = c.ok("whseItemJournal.register", posting("reg-3", quantity=7, bin="A-01"))
            self.assertIs(again.get("replayed"), True, again)
            conflict = c.rpc("whseItemJournal.register", posting("reg-3", quantity=8, bin="A-01"), id="x")
            self.assertEqual(conflict["error"]["data"]["reason"], "idempotency_conflict", conflict)
            moved = c.ok("whseReclassJournal.register", {
                "location": "WH1", "documentNo": "MV-1", "idempotencyKey": "mv-1",
                "lines": [{"item": "ITEM1", "fromBin": "B-02", "toBin": "A-01", "quantity": "1.25"}]})
            self.assertIs(moved.get("replayed"), True, moved)
            self.assertEqual(c.ok("server.status")["warehouseEntries"], 19)
            # New postings go on after the old records.
            c.ok("whseItemJournal.register", posting("after-upgrade", quantity=1, bin="A-01"))
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertEqual(c.ok("server.status")["warehouseEntries"], 21)
            self.assertIs(c.ok("server.verify")["ok"], True)


if __name__ == "__main__":
    unittest.main()
