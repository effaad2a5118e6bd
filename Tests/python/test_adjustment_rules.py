"""The item ledger never drifts from the warehouse through the item journal: a Calculate Whse. Adjustment batch whose
basis moved is refused (issue 12 item 4), and typed item-journal lines at a directed location may not take its
inventory below zero unless the location allows negative inventory (issue 12 item 5)."""

import subprocess

import json
import os

from harness import BIN_DIR, WHSED, DaemonTestCase, setup_master_data

ADJUSTMENT_STALE = 1017
INSUFFICIENT_QUANTITY = 1003


def availability(c, item="ITEM1", location="WH1"):
    rows = c.ok("item.availability", {"item": item, "location": location})["locations"]
    return rows[0] if rows else {"inventory": 0, "inBins": 0}


def adj_quantity(c):
    rows = c.ok("bin.contents", {"location": "WH1", "bin": "ADJ", "includeZero": True})["rows"]
    return sum(r["quantity"] for r in rows if r["item"] == "ITEM1")


class StaleAdjustmentBatchTests(DaemonTestCase):
    def stock(self, c):
        """7 PCS in A-01, none in the item ledger: ADJ −7 (found stock)."""
        setup_master_data(c)
        c.ok("whseItemJournal.register", {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 7}]})

    def count_adj_to_zero(self, c):
        """A warehouse count that confirms A-01, then the phys. inventory journal, which brings ADJ to zero."""
        c.ok("whsePhysInventory.calculate", {"location": "WH1", "journal": "C1"})
        c.ok("whsePhysInventory.register", {"journal": "C1"})
        c.ok("physInventory.calculate", {"location": "WH1", "journal": "P1"})
        c.ok("physInventory.post", {"journal": "P1"})
        self.assertEqual(adj_quantity(c), 0)

    def test_a_batch_whose_adjustment_bin_moved_is_refused_naming_its_lines(self):
        d = self.start_daemon()
        with d.connect() as c:
            self.stock(c)
            calc = c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            self.assertEqual([(x["entryType"], x["quantity"]) for x in calc["added"]], [("positiveAdjmt", 7)])
            self.count_adj_to_zero(c)
            before = availability(c)
            r = c.rpc("itemJournal.post", {"batch": "DEFAULT"})
            self.assertError(r, ADJUSTMENT_STALE, "adjustment_stale")
            self.assertEqual(r["error"]["data"]["staleLines"], [1])
            self.assertEqual(r["error"]["data"]["batch"], "DEFAULT")
            self.assertEqual(availability(c), before, "nothing was posted")
            self.assertIs(c.ok("server.verify")["ok"], True)
            # A recalculation refreshes the batch: it nets to nothing, and posting it keeps the books equal.
            c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            c.ok("itemJournal.post", {"batch": "DEFAULT"})
            after = availability(c)
            self.assertEqual(after["inventory"], 7)
            self.assertEqual(adj_quantity(c), 0)
            self.assertIs(c.ok("server.verify")["ok"], True)

    def test_the_refusal_survives_replay_and_snapshot(self):
        d = self.start_daemon()
        with d.connect() as c:
            self.stock(c)
            c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            self.count_adj_to_zero(c)
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertError(c.rpc("itemJournal.post", {"batch": "DEFAULT"}), ADJUSTMENT_STALE, "adjustment_stale")
            c.ok("server.checkpoint", {})
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertError(c.rpc("itemJournal.post", {"batch": "DEFAULT"}), ADJUSTMENT_STALE, "adjustment_stale")

    def test_a_fresh_batch_still_posts(self):
        d = self.start_daemon()
        with d.connect() as c:
            self.stock(c)
            c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            # A second run while nothing moved proposes nothing and keeps the batch fresh.
            again = c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            self.assertEqual(again["added"], [])
            self.assertEqual(len(again["lines"]), 1)
            c.ok("itemJournal.post", {"batch": "DEFAULT"})
            self.assertEqual(availability(c)["inventory"], 7)
            self.assertEqual(adj_quantity(c), 0)


class DirectedNegativeInventoryTests(DaemonTestCase):
    def test_a_sale_without_stock_is_refused(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            r = c.rpc("itemJournal.post", {"lines": [{"entryType": "sale", "location": "WH1", "item": "ITEM1",
                                                      "quantity": 10}]})
            self.assertError(r, INSUFFICIENT_QUANTITY, "insufficient_quantity")
            self.assertEqual(r["error"]["data"]["available"], 0)
            self.assertEqual(availability(c)["inventory"], 0)
            calc = c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            self.assertEqual(calc["added"], [], "the refused sale left nothing in ADJ")
            # Within the inventory it posts; beyond it (a later line of the same journal) nothing posts.
            c.ok("itemJournal.post", {"lines": [{"entryType": "purchase", "location": "WH1", "item": "ITEM1", "quantity": 5}]})
            r = c.rpc("itemJournal.post", {"lines": [
                {"entryType": "sale", "location": "WH1", "item": "ITEM1", "quantity": 3},
                {"entryType": "negativeAdjmt", "location": "WH1", "item": "ITEM1", "quantity": 3}]})
            self.assertError(r, INSUFFICIENT_QUANTITY, "insufficient_quantity")
            self.assertEqual(availability(c)["inventory"], 5, "all or nothing")
            r = c.rpc("itemJournal.post", {"lines": [{"entryType": "purchase", "location": "WH1", "item": "ITEM1",
                                                      "quantity": -6}]})
            self.assertError(r, INSUFFICIENT_QUANTITY, "insufficient_quantity", msg="a negative purchase takes stock too")
            c.ok("itemJournal.post", {"lines": [{"entryType": "sale", "location": "WH1", "item": "ITEM1", "quantity": 5}]})
            self.assertEqual(availability(c)["inventory"], 0)

    def test_a_location_that_allows_negative_inventory_accepts_it(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            # Through whsectl, as an admin would.
            out = subprocess.run([os.path.join(BIN_DIR, "whsectl"), "--socket", d.socket, "--json", "location", "update",
                                  "WH1", "--allow-negative-inventory"], capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIs(json.loads(out.stdout)["allowNegativeInventory"], True)
            c.ok("itemJournal.post", {"lines": [{"entryType": "sale", "location": "WH1", "item": "ITEM1", "quantity": 10}]})
            self.assertEqual(availability(c)["inventory"], -10)
            c.ok("location.create", {"code": "B1", "kind": "basic"})
            r = c.rpc("location.update", {"code": "B1", "allowNegativeInventory": True})
            self.assertError(r, r["error"]["code"], "wrong_location_kind")
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertIs(c.ok("location.get", {"code": "WH1"})["allowNegativeInventory"], True)
            self.assertEqual(availability(c)["inventory"], -10)

    def test_the_setting_can_be_turned_off_and_replays(self):
        """Postings made while the setting was on replay after it was turned off (the rule versions themselves are
        tested in Tests/WhseServerTests/ReplayRulesTests.swift)."""
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            c.ok("location.update", {"code": "WH1", "allowNegativeInventory": True})
            c.ok("itemJournal.post", {"lines": [{"entryType": "sale", "location": "WH1", "item": "ITEM1", "quantity": 10}]})
            c.ok("location.update", {"code": "WH1", "allowNegativeInventory": False})
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertEqual(availability(c)["inventory"], -10)
        d.terminate()
        out = subprocess.run([WHSED, "--verify", d.state], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
