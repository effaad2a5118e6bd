"""Idempotency keys keep a digest and a compact result (protocol.md 8), not the request and the whole journal.

200 keyed `whsePhysInventory.recordCounts` calls of all 5,000 counts of a 5,000-line count journal add at most 5 MB
of RSS (issue 14's acceptance; before, each key kept its request and the whole journal it answered with: 1.3 GB for
200 calls). A retry gets the journal's header with `lineCount` instead of its lines, before and after a restart from
a snapshot; other counts under the same key are a conflict.
"""

import os
import unittest

from harness import DaemonTestCase

# The acceptance run is 200 calls (WHSED_IDEMPOTENCY_CALLS=200, about 6 minutes on a debug build, under a minute on a
# release build); the suite runs 40 against the same budget per call: 5 MB / 200 = 25.6 kB per key.
CALLS = int(os.environ.get("WHSED_IDEMPOTENCY_CALLS", "40"))
BUDGET_KB = 5 * 1024 * CALLS // 200


class IdempotencyMemory(DaemonTestCase):
    def test_keyed_counts_of_a_5000_line_journal_stay_small(self):
        d = self.start_daemon()
        with d.connect(timeout=120) as c:
            # 50 bins and 100 items, every item in every bin: 5,000 bin contents.
            c.ok("location.create", {"code": "MEMWH", "name": "Memory", "kind": "directed"})
            c.ok("zone.create", {"location": "MEMWH", "code": "PICK", "binType": "PICK"})
            for b in range(50):
                c.ok("bin.create", {"location": "MEMWH", "code": f"B{b:03d}", "zone": "PICK"})
            for i in range(100):
                c.ok("item.create", {"no": f"I{i:03d}", "baseUnitOfMeasure": "PCS"})
            c.ok("whseItemJournal.register", {"location": "MEMWH", "lines": [
                {"bin": f"B{b:03d}", "item": f"I{i:03d}", "quantity": 10} for b in range(50) for i in range(100)]},
                timeout=120)
            journal = c.ok("whsePhysInventory.calculate", {"location": "MEMWH", "journal": "MEM"}, timeout=120)
            lines = journal["lines"]
            self.assertEqual(len(lines), 5000, "5,000 bin contents should give 5,000 lines")
            counts = [{"lineNo": l["lineNo"], "quantity": 1} for l in lines]

            def enter(key, qty=1):
                for entry in counts:
                    entry["quantity"] = qty
                return c.rpc("whsePhysInventory.recordCounts",
                             {"journal": "MEM", "counts": counts, "idempotencyKey": key}, timeout=120)

            # Warm-up: the allocator reaches its working size for requests and replies of this size.
            for i in range(10):
                self.assertIn("result", enter(f"warm-{i}", qty=i % 3))
            before = d.rss_kb()
            for i in range(CALLS):
                reply = enter("count-last" if i == CALLS - 1 else f"count-{i}", qty=i % 7)
                self.assertIn("result", reply, reply)
                self.assertEqual(len(reply["result"]["lines"]), 5000)
            after = d.rss_kb()
            grown = after - before
            print(f"\n  {CALLS} keyed recordCounts of 5,000 counts: RSS {before} kB -> {after} kB ({grown:+d} kB)")
            self.assertLessEqual(grown, BUDGET_KB, f"{CALLS} keys grew RSS by {grown} kB (at most {BUDGET_KB} kB)")

            # A retry answers from the key: the header and lineCount, no lines, and nothing is posted again.
            again = enter("count-last", qty=(CALLS - 1) % 7)
            self.assertIn("result", again, again)
            res = again["result"]
            self.assertTrue(res.get("replayed"))
            self.assertEqual(res.get("lineCount"), 5000)
            self.assertNotIn("lines", res)
            self.assertEqual(res.get("journal"), "MEM")
            # The same key with other counts is a conflict.
            conflict = enter("count-last", qty=6 if (CALLS - 1) % 7 != 6 else 5)
            self.assertEqual(conflict.get("error", {}).get("data", {}).get("reason"), "idempotency_conflict", conflict)
            c.ok("server.checkpoint", timeout=120)

        # After a restart from the snapshot the key still replays the same compact result.
        self.assertEqual(d.terminate(), 0)
        d.start()
        with d.connect(timeout=120) as c:
            for entry in counts:
                entry["quantity"] = (CALLS - 1) % 7
            again = c.rpc("whsePhysInventory.recordCounts",
                          {"journal": "MEM", "counts": counts, "idempotencyKey": "count-last"}, timeout=120)
            self.assertEqual(again.get("result"), res, again)


if __name__ == "__main__":
    unittest.main()
