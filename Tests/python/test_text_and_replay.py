"""Stored text round-trips byte for byte (codes in NFC, free text as sent), code characters are refused at
admission, and replay never applies today's admission limits to records acknowledged under other ones.
Regression tests for issue 12, items 1 and 3."""

import os
import signal
import subprocess

from harness import INVALID_PARAMS, WHSED, DaemonTestCase, setup_master_data

DECOMPOSED = "A\u030a"   # "A" + COMBINING RING ABOVE
COMPOSED = "\u00c5"      # LATIN CAPITAL LETTER A WITH RING ABOVE: the NFC spelling of DECOMPOSED


def restart_from_snapshot(test, d):
    """server.checkpoint, then SIGKILL and start again: the state comes back from the snapshot."""
    with d.connect() as c:
        c.ok("server.checkpoint", {})
    d.kill()
    d.start()


class TextRoundTripTests(DaemonTestCase):
    def test_free_text_keeps_its_bytes_through_a_snapshot(self):
        d = self.start_daemon()
        with d.connect() as c:
            # Whichever spelling is stored first must not absorb the other one in the snapshot's string table.
            c.ok("item.create", {"no": "P1", "description": COMPOSED})
            c.ok("item.create", {"no": "P2", "description": DECOMPOSED})
            c.ok("location.create", {"code": "L1", "name": DECOMPOSED + " hall"})
            c.ok("location.create", {"code": "L2", "name": COMPOSED + " hall"})
        for round in range(2):
            with d.connect() as c:
                self.assertEqual(c.ok("item.get", {"no": "P1"})["description"], COMPOSED, f"round {round}")
                self.assertEqual(c.ok("item.get", {"no": "P2"})["description"], DECOMPOSED, f"round {round}")
                self.assertEqual(c.ok("location.get", {"code": "L1"})["name"], DECOMPOSED + " hall")
                self.assertEqual(c.ok("location.get", {"code": "L2"})["name"], COMPOSED + " hall")
            restart_from_snapshot(self, d)

    def test_codes_are_nfc_at_input_and_stable_through_log_and_snapshot(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            item = c.ok("item.create", {"no": DECOMPOSED, "description": "ring"})
            self.assertEqual(item["no"], COMPOSED, "a code is stored in NFC")
            # The other spelling of the same code is the same item.
            r = c.rpc("item.create", {"no": COMPOSED})
            self.assertError(r, r["error"]["code"], "already_exists")
            self.assertEqual(c.ok("item.get", {"no": DECOMPOSED})["no"], COMPOSED)
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "DOC-" + DECOMPOSED,
                                              "lines": [{"item": COMPOSED, "bin": "A-01", "quantity": 2}]})
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "DOC-" + COMPOSED,
                                              "lines": [{"item": DECOMPOSED, "bin": "A-01", "quantity": 3}]})

        def check(label):
            with d.connect() as c:
                entries = c.ok("entries.warehouse", {"item": COMPOSED, "limit": 100})["entries"]
                self.assertEqual(len(entries), 4, label)   # two lines, each a bin entry and an ADJ entry
                for e in entries:
                    self.assertEqual(e["item"], COMPOSED, label)
                    self.assertEqual(e["documentNo"], "DOC-" + COMPOSED, label)
                byfilter = c.ok("entries.warehouse", {"documentNo": "DOC-" + DECOMPOSED, "limit": 100})["entries"]
                self.assertEqual(len(byfilter), 4, f"{label}: a filter in either spelling finds the code")
                rows = c.ok("item.bins", {"item": DECOMPOSED})["rows"]
                self.assertEqual(sum(r["quantity"] for r in rows if r["bin"] == "A-01"), 5, label)

        check("live")
        d.kill()
        d.start()
        check("after replay of the log")
        restart_from_snapshot(self, d)
        check("after a snapshot")

    def test_idempotency_keys_compare_by_bytes(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            a = c.ok("whseItemJournal.register", {"location": "WH1", "idempotencyKey": "k-" + DECOMPOSED,
                                                  "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]})
            b = c.ok("whseItemJournal.register", {"location": "WH1", "idempotencyKey": "k-" + COMPOSED,
                                                  "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 2}]})
            self.assertNotEqual(a, b, "two keys with different bytes are two postings")
        restart_from_snapshot(self, d)
        with d.connect() as c:
            again = c.ok("whseItemJournal.register", {"location": "WH1", "idempotencyKey": "k-" + DECOMPOSED,
                                                      "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]})
            self.assertEqual(again.get("registerNo"), a.get("registerNo"), "the retry answers the first posting")
            rows = c.ok("item.bins", {"item": "ITEM1"})["rows"]
            self.assertEqual(sum(r["quantity"] for r in rows if r["bin"] == "A-01"), 3)

    def test_codes_refuse_control_format_and_separator_characters(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            bad = {"zero-width space": "A\u200bB", "bidi override": "A\u202eB", "BOM": "\ufeffAB",
                   "NEL": "A\u0085B", "line separator": "A\u2028B", "private use": "A\ue000B",
                   "word joiner": "A\u2060B", "unassigned": "A\U000e0080B", "noncharacter": "A\ufffeB"}
            for what, code in bad.items():
                r = c.rpc("item.create", {"no": code})
                self.assertError(r, INVALID_PARAMS, msg=what)
                self.assertIn("U+", r["error"]["message"], what)
                r = c.rpc("whseItemJournal.register", {"location": "WH1", "documentNo": code,
                                                       "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]})
                self.assertError(r, INVALID_PARAMS, msg=f"document no. with {what}")
            # Free text is not a code: it is kept as sent.
            self.assertEqual(c.ok("item.create", {"no": "ZW", "description": "a\u200bb"})["description"], "a\u200bb")
            self.assertEqual(len(c.ok("entries.warehouse", {"limit": 10})["entries"]), 0, "nothing was posted")


class ReplayLimitTests(DaemonTestCase):
    def test_a_journal_admitted_under_a_higher_limit_replays_under_the_default(self):
        d = self.start_daemon(args=["--max-journal-lines", "20000"])
        n = 15000
        with d.connect(timeout=60) as c:
            setup_master_data(c)
            lines = [{"item": "ITEM1", "bin": "A-01", "quantity": 1} for _ in range(n)]
            c.ok("whseItemJournal.register", {"location": "WH1", "lines": lines}, timeout=60)
        d.kill()
        d.start(args=[])   # the default limit, 10,000 lines
        with d.connect() as c:
            r = c.rpc("whseItemJournal.register", {"location": "WH1", "lines": lines}, timeout=60)
            self.assertError(r, r.get("error", {}).get("code"), "limit_exceeded", msg="admission still applies")
            rows = c.ok("item.bins", {"item": "ITEM1"})["rows"]
            self.assertEqual(sum(x["quantity"] for x in rows if x["bin"] == "A-01"), n)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait_exit(60), 0, d.log())
        out = subprocess.run([WHSED, "--verify", d.state], capture_output=True, text=True, timeout=300)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
