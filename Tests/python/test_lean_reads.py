"""Lean read answers (protocol.md 11): rows and entries leave out the members at their documented default, a client
puts them back from the table below, and `fields` chooses the members. The issue 13 line: a 20-row bin.contents is
under 2 KB.
"""

import json
import unittest

from harness import INVALID_PARAMS, DaemonTestCase, request, setup_master_data

# protocol.md 11, "Lean objects": per object, (every member, absent member -> value, absent member -> the member whose
# value it takes, members always present).
LEAN = {
    "BinContentRow": (
        {"adjustmentBin", "bin", "blocked", "default", "expirationDate", "fixed", "item", "location", "lot",
         "maxQuantity", "minQuantity", "quantity", "quantityBase", "serial", "unitOfMeasure", "zone"},
        {"adjustmentBin": False, "blocked": False, "default": False, "fixed": False, "expirationDate": None,
         "lot": None, "serial": None, "zone": None, "maxQuantity": 0, "minQuantity": 0},
        {"quantityBase": "quantity"},
        {"bin", "item", "location", "quantity", "unitOfMeasure"}),
    "WarehouseEntry": (
        {"bin", "documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "quantity",
         "quantityBase", "quantityPerUnitOfMeasure", "registerNo", "registeringDate", "serial", "source", "timestamp",
         "unitOfMeasure", "user", "zone"},
        {"documentNo": "", "expirationDate": None, "lot": None, "serial": None, "zone": None,
         "quantityPerUnitOfMeasure": 1},
        {"quantityBase": "quantity"},
        {"bin", "entryNo", "entryType", "item", "location", "quantity", "registerNo", "registeringDate", "source",
         "timestamp", "unitOfMeasure", "user"}),
    "ItemLedgerEntry": (
        {"documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "postingDate", "quantity",
         "quantityPerUnitOfMeasure", "serial", "source", "timestamp", "unitOfMeasure", "user", "warehouseAdjustment"},
        {"documentNo": "", "expirationDate": None, "lot": None, "serial": None, "quantityPerUnitOfMeasure": 1,
         "warehouseAdjustment": False},
        {},
        {"entryNo", "entryType", "item", "location", "postingDate", "quantity", "source", "timestamp",
         "unitOfMeasure", "user"}),
    "PhysInventoryLedgerEntry": (
        {"bin", "countingPeriod", "documentNo", "entryNo", "entryType", "item", "lastItemLedgerEntryNo", "location",
         "lot", "postingDate", "quantity", "quantityCalculated", "quantityPhysInventory", "serial", "timestamp",
         "unitOfMeasure", "user"},
        {"bin": None, "countingPeriod": None, "documentNo": "", "lot": None, "serial": None},
        {},
        {"entryNo", "entryType", "item", "lastItemLedgerEntryNo", "location", "postingDate", "quantity",
         "quantityCalculated", "quantityPhysInventory", "timestamp", "unitOfMeasure", "user"}),
    "Reservation": (
        {"createdAt", "createdBy", "item", "location", "lot", "quantityBase", "reservation", "serial", "source"},
        {"lot": None, "serial": None, "source": ""},
        {},
        {"createdAt", "createdBy", "item", "location", "quantityBase", "reservation"}),
}


def restored(kind, row):
    """The row with every absent member at its documented default."""
    _, constants, copies, _ = LEAN[kind]
    out = dict(row)
    for k, v in constants.items():
        out.setdefault(k, v)
    for k, source in copies.items():
        if k not in out:
            out[k] = out[source]
    return out


class LeanReads(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)
        setup_master_data(self.c)

    def assertLean(self, kind, lean, full, what):
        """`lean` leaves out exactly the members at their default, and restores to `full` (every member)."""
        members, constants, copies, always = LEAN[kind]
        self.assertEqual(set(full), members, f"{what}: the full {kind}")
        self.assertLessEqual(always, set(lean), f"{what}: a member that is always sent is missing: {lean}")
        for k, v in constants.items():
            if k in lean:
                self.assertNotEqual(lean[k], v, f"{what}: {k} is sent at its default: {lean}")
        for k, source in copies.items():
            if k in lean:
                self.assertNotEqual(lean[k], lean[source], f"{what}: {k} is sent though it equals {source}: {lean}")
        self.assertEqual(restored(kind, lean), full, f"{what}: restored from {lean}")

    def rows_both_ways(self, method, params, key, kind):
        lean = self.c.ok(method, params)[key]
        full = self.c.ok(method, dict(params, fields=sorted(LEAN[kind][0])))[key]
        self.assertEqual(len(lean), len(full), f"{method} {params}")
        for a, b in zip(lean, full):
            self.assertLean(kind, a, b, f"{method} {params}")
        return lean, full

    def line(self, method, params):
        """The reply line as whsed sent it (bytes, without the newline) and its result."""
        self.c.send(request(method, params, id=70))
        raw = self.c.recv_line()
        return raw, self.assertResult(json.loads(raw), id=70)

    # The acceptance line of issue 13.

    def test_a_20_row_bin_contents_is_under_2000_bytes(self):
        items = [f"I{i:05d}" for i in range(1, 21)]
        for no in items:
            self.c.ok("item.create", {"no": no})
        self.c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "WIJ-20", "lines": [
            {"item": no, "bin": "B-02", "quantity": 100 + i} for i, no in enumerate(items)]})
        params = {"location": "WH1", "bin": "B-02"}

        full_raw, full = self.line("bin.contents", dict(params, fields=sorted(LEAN["BinContentRow"][0])))
        lean_raw, lean = self.line("bin.contents", params)
        lean_fields = ["item", "quantity", "unitOfMeasure"]
        picked_raw, picked = self.line("bin.contents", dict(params, fields=lean_fields))

        self.assertEqual(len(lean["rows"]), 20)
        self.assertEqual([restored("BinContentRow", r) for r in lean["rows"]], full["rows"])
        # Untracked, no set-up, base unit: the rows carry their identity, zone and quantity, nothing else.
        for r in lean["rows"]:
            self.assertEqual(set(r), {"bin", "item", "location", "quantity", "unitOfMeasure", "zone"}, r)
        self.assertLess(len(lean_raw), 0.4 * len(full_raw), f"lean {len(lean_raw)} bytes, full {len(full_raw)}")
        self.assertEqual(picked["rows"], [{k: r[k] for k in lean_fields} for r in full["rows"]])
        self.assertLess(len(picked_raw), 2000, picked_raw[:300])

    # The rule per object, with members away from their defaults.

    def test_every_row_and_entry_restores_to_the_full_object(self):
        c = self.c
        c.ok("item.create", {"no": "LOT1", "tracking": {"lot": True},
                             "unitsOfMeasure": [{"code": "BOX", "quantityPerUnitOfMeasure": 12}]})
        # No documentNo: the entries' "" is left out.
        c.ok("whseItemJournal.register", {"location": "WH1", "lines": [
            {"item": "LOT1", "bin": "B-02", "quantity": 2, "unitOfMeasure": "BOX", "lot": "L1",
             "expirationDate": "2027-06-30"},
            {"item": "ITEM1", "bin": "B-02", "quantity": 5}]})
        c.ok("itemTracking.setBlocked", {"item": "LOT1", "lot": "L1", "blocked": True})
        c.ok("binContent.setup", {"location": "WH1", "bin": "A-01", "item": "ITEM1", "minQuantity": 1,
                                  "maxQuantity": 10, "fixed": True, "default": True})
        c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1", "documentNo": "ADJ-1"})
        c.ok("itemJournal.post", {"batch": "DEFAULT"})
        c.ok("physInventory.calculate", {"location": "WH1", "journal": "PI", "documentNo": "PI-1"})
        c.ok("physInventory.post", {"journal": "PI"})

        rows, full = self.rows_both_ways("bin.contents", {"location": "WH1", "bin": "B-02"}, "rows", "BinContentRow")
        lot_row = next(r for r in rows if r["item"] == "LOT1")
        self.assertEqual((lot_row["lot"], lot_row["blocked"], lot_row["quantity"], lot_row["quantityBase"],
                          lot_row["expirationDate"]), ("L1", True, 2, 24, "2027-06-30"))
        # A row of 0 keeps its quantity: the Fixed, default set-up of A-01 that never held anything.
        rows, _ = self.rows_both_ways("bin.contents", {"location": "WH1", "bin": "A-01"}, "rows", "BinContentRow")
        self.assertEqual(rows, [{"bin": "A-01", "default": True, "fixed": True, "item": "ITEM1", "location": "WH1",
                                 "maxQuantity": 10, "minQuantity": 1, "quantity": 0, "unitOfMeasure": "PCS",
                                 "zone": "PICK"}])
        rows, _ = self.rows_both_ways("bin.contents", {"location": "WH1", "bin": "ADJ", "includeZero": True}, "rows",
                                      "BinContentRow")
        self.assertTrue(rows and all(r["adjustmentBin"] is True for r in rows), rows)
        for item in ("ITEM1", "LOT1"):
            self.rows_both_ways("item.bins", {"item": item, "includeZero": True}, "rows", "BinContentRow")

        entries, _ = self.rows_both_ways("entries.warehouse", {"location": "WH1"}, "entries", "WarehouseEntry")
        self.assertTrue(any("documentNo" not in e for e in entries), "an entry with no document no.")
        self.assertTrue(any(e.get("quantityPerUnitOfMeasure") == 12 and e["quantityBase"] == 24 for e in entries))
        entries, _ = self.rows_both_ways("entries.item", {"location": "WH1"}, "entries", "ItemLedgerEntry")
        self.assertTrue(entries and all(e["warehouseAdjustment"] is True for e in entries), entries)
        entries, _ = self.rows_both_ways("entries.physInventory", {"location": "WH1"}, "entries",
                                         "PhysInventoryLedgerEntry")
        self.assertTrue(entries and all("bin" not in e and "quantity" in e for e in entries), entries)

        r1 = c.ok("reservation.create", {"location": "WH1", "item": "ITEM1", "quantity": 1})
        r2 = c.ok("reservation.create", {"location": "WH1", "item": "ITEM1", "quantity": 1, "source": "SO-1"})
        members = LEAN["Reservation"][0]
        for r in c.ok("reservation.list", {"location": "WH1"})["reservations"] + [r1, r2]:
            self.assertLean("Reservation", r, restored("Reservation", r), "reservation")
            self.assertEqual(set(restored("Reservation", r)), members)
        self.assertNotIn("source", r1)
        self.assertEqual(r2["source"], "SO-1")

    # `fields`.

    def test_fields_choose_members_not_rows(self):
        self.c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "D", "lines": [
            {"item": "ITEM1", "bin": "A-01", "quantity": q} for q in (1, 2, 3)]})
        lean = self.c.ok("entries.warehouse", {"item": "ITEM1", "limit": 2})
        picked = self.c.ok("entries.warehouse", {"item": "ITEM1", "limit": 2,
                                                 "fields": ["quantityBase", "entryNo", "entryNo", "lot"]})
        self.assertEqual(picked["nextAfter"], lean["nextAfter"])
        self.assertIsNotNone(picked["nextAfter"])
        # Exactly the names given (a repeated one once), at their default too.
        self.assertEqual(picked["entries"], [{"entryNo": e["entryNo"], "quantityBase": e["quantity"], "lot": None}
                                             for e in lean["entries"]])
        rows = self.c.ok("item.bins", {"item": "ITEM1", "fields": ["bin"]})["rows"]
        self.assertEqual(rows, [{"bin": "A-01"}, {"bin": "ADJ"}])

    def test_bad_fields_are_refused_naming_the_element(self):
        cases = [
            ("bin.contents", {"location": "WH1", "bin": "A-01", "fields": ["item", "qty"]}, "fields[1]"),
            ("bin.contents", {"location": "WH1", "bin": "A-01", "fields": ["Item"]}, "fields[0]"),
            ("bin.contents", {"location": "WH1", "bin": "A-01", "fields": [1]}, "fields[0]"),
            ("bin.contents", {"location": "WH1", "bin": "A-01", "fields": []}, "fields"),
            ("bin.contents", {"location": "WH1", "bin": "A-01", "fields": "item"}, "fields"),
            ("item.bins", {"item": "ITEM1", "fields": ["entryNo"]}, "fields[0]"),
            ("entries.item", {"fields": ["entryNo", "bin"]}, "fields[1]"),     # item ledger entries have no bin
            ("entries.warehouse", {"fields": ["x" * 5000]}, "fields[0]"),
            ("entries.physInventory", {"fields": {"entryNo": True}}, "fields"),
        ]
        for method, params, param in cases:
            r = self.c.rpc(method, params)
            self.assertError(r, INVALID_PARAMS, "invalid_params", msg=f"{method} {params}"[:200])
            self.assertEqual(r["error"]["data"].get("param"), param, r)
            self.assertLess(len(r["error"]["message"]), 1000, "the message does not echo a long name")
        # The daemon is fine and the params of a bad request did nothing.
        self.assertEqual(self.c.ok("bin.contents", {"location": "WH1", "bin": "A-01"}), {"rows": []})


if __name__ == "__main__":
    unittest.main()
