"""The on-disk entry index (issue 14 items 2 and 6; protocol.md 13.6, docs/on-disk-format.md 7), end to end.

Filtered entries.* pages must be the same with the index (caught up or lagging) as without it (--no-index scans
the ledgers), and only committed entries. A deleted index, one overwritten with garbage and one rebuilt by
`whsed --rebuild-index` are rebuilt to the same rows; a SIGKILL while the indexer catches up loses nothing and the
index converges to the log. The index file is read with Python's sqlite3 to compare rows.
"""
import os
import random
import sqlite3
import subprocess
import time
import unittest

from harness import WHSED, DaemonTestCase

TABLES = ("warehouse_entries", "item_ledger_entries", "phys_inventory_entries")
BINS = ["S-01", "S-02", "S-03", "S-04"]
ITEMS = ["I1", "I2", "I3", "LOTI"]
DOCS = [f"D{i}" for i in range(1, 11)]
LOTS = ["L1", "L2", "L3"]
DATES = ["2026-01-05", "2026-02-10", "2026-03-15"]


def setup(conn):
    conn.ok("location.create", {"code": "BASIC", "name": "Back store", "kind": "basic"})
    conn.ok("location.create", {"code": "SHOP", "name": "Shop floor", "kind": "plain"})
    for b in BINS:
        conn.ok("bin.create", {"location": "BASIC", "code": b})
    for i in ITEMS[:-1]:
        conn.ok("item.create", {"no": i, "description": i})
    conn.ok("item.create", {"no": "LOTI", "description": "lot tracked", "tracking": {"lot": True}})


def post(conn, rng, n):
    for _ in range(n):
        lines = []
        for _ in range(rng.randint(1, 4)):
            item = rng.choice(ITEMS)
            line = {"entryType": rng.choice(["purchase", "positiveAdjmt"]), "item": item,
                    "quantity": rng.randint(1, 9)}
            if rng.random() < 0.3:
                line["location"] = "SHOP"
            else:
                line["location"] = "BASIC"
                line["bin"] = rng.choice(BINS)
            if item == "LOTI":
                line["lot"] = rng.choice(LOTS)
            if rng.random() < 0.5:
                line["postingDate"] = rng.choice(DATES)
            lines.append(line)
        conn.ok("itemJournal.post", {"documentNo": rng.choice(DOCS), "lines": lines})


def queries(seed, n=120):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        method = rng.choice(["entries.warehouse", "entries.item"])
        p = {}
        while not p:
            if rng.random() < 0.3:
                p["location"] = rng.choice(["BASIC", "SHOP", "NONE"])
            if method == "entries.warehouse" and rng.random() < 0.3:
                p["bin"] = rng.choice(BINS + ["NONE"])
            if rng.random() < 0.4:
                p["item"] = rng.choice(ITEMS + ["NONE"])
            if rng.random() < 0.3:
                p["documentNo"] = rng.choice(DOCS)
            if rng.random() < 0.2:
                p["lot"] = rng.choice(LOTS)
            if rng.random() < 0.2 and p:
                p["entryType"] = rng.choice(["purchase", "positiveAdjmt", "sale"])
        # Date and entry-no. ranges (issue 14 item 2): with the filters above, and alone.
        if rng.random() < 0.25:
            p["fromDate"] = rng.choice(DATES + [time.strftime("%Y-%m-%d", time.gmtime())])
        if rng.random() < 0.25:
            p["toDate"] = rng.choice(DATES + ["2099-12-31"])
        if rng.random() < 0.25:
            p["fromEntryNo"] = rng.randint(1, 700)
        if rng.random() < 0.25:
            p["toEntryNo"] = rng.randint(1, 700)
        p["limit"] = rng.choice([1, 3, 10, 1000])
        if rng.random() < 0.5:
            p["after"] = rng.randint(0, 600)
        out.append((method, p))
    return out


def codeless_queries(seed, n=60):
    """Filters without a code: an entry type alone, a posting-date range alone (open at either end, one day, empty),
    or both; the index answers them too (its entry-type and posting-date posting lists)."""
    rng = random.Random(seed)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    out = []
    for _ in range(n):
        method = rng.choice(["entries.warehouse", "entries.item"])
        p = {}
        while not p:
            if rng.random() < 0.5:
                p["entryType"] = rng.choice(["purchase", "positiveAdjmt", "sale"])
            if rng.random() < 0.6:
                p["fromDate"] = rng.choice(DATES + [today])
            if rng.random() < 0.6:
                p["toDate"] = p.get("fromDate") or rng.choice(DATES + [today, "2099-12-31"])
                if rng.random() < 0.7:
                    p["toDate"] = rng.choice(DATES + [today, "2099-12-31"])
        if rng.random() < 0.2:
            p["toEntryNo"] = rng.randint(1, 700)
        p["limit"] = rng.choice([1, 3, 10, 1000])
        if rng.random() < 0.5:
            p["after"] = rng.randint(0, 600)
        out.append((method, p))
    return out


def answers(conn, qs):
    return [conn.ok(m, p, id="q", timeout=30) for m, p in qs]


def index_status(conn):
    return conn.ok("server.status")["index"]


def wait_caught_up(test, conn, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = index_status(conn)
        if s["state"] == "ready" and all(v == 0 for v in s["lagEntries"].values()):
            return s
        time.sleep(0.05)
    test.fail(f"the index did not catch up: {index_status(conn)}")


def varints(blob):
    """The entry numbers of a posting list (docs/on-disk-format.md 10): LEB128 differences."""
    out, no, v, shift = [], 0, 0, 0
    for b in blob:
        v |= (b & 0x7f) << shift
        if b & 0x80:
            shift += 7
            continue
        no += v
        out.append(no)
        v, shift = 0, 0
    assert shift == 0, "a posting list ends inside a number"
    return out


def dump(path):
    """The rows of each ledger, and each posting-list table as {value: entry numbers} (its rows depend on how the
    entries were batched; what they list must not)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {t: db.execute(f"SELECT * FROM {t} ORDER BY entry_no").fetchall() for t in TABLES}
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_by_%'")]
        for name in names:
            lists = {}
            for key, first, last, blob in db.execute(f"SELECT key, first, last, nos FROM {name} ORDER BY key, last"):
                nos = varints(blob)
                assert nos and nos[0] == first and nos[-1] == last, (name, key, first, last, nos)
                lists.setdefault(key, []).extend(nos)
            for key, nos in lists.items():
                assert nos == sorted(set(nos)), (name, key, nos)
            out[name] = lists
        assert len(names) >= 17, names
        return out
    finally:
        db.close()


class EntryIndexTest(DaemonTestCase):
    def index_path(self, d):
        return os.path.join(d.state, "index", "entries.sqlite")

    def restart(self, d, args=(), env=None):
        self.assertEqual(d.terminate(), 0, d.log())
        d.start(args=list(args), env=env or {})

    def test_index_answers_as_the_scan_does_lagging_rebuilt_and_after_sigkill(self):
        rng = random.Random(14)
        d = self.new_daemon()
        d.start()
        with d.connect() as c:
            setup(c)
            post(c, rng, 150)
            s = wait_caught_up(self, c)
            self.assertGreater(s["watermarks"]["warehouse"], 200)
            qs = queries(1)
            with_index = answers(c, qs)
            self.assertGreater(index_status(c)["indexedQueries"], 50)
            # Without a code (an entry type, a posting-date range, both): every one answered by the index.
            before = index_status(c)["indexedQueries"]
            codeless = codeless_queries(1)
            codeless_answers = answers(c, codeless)
            self.assertEqual(index_status(c)["indexedQueries"] - before, len(codeless))
            self.assertTrue(any(a["entries"] for a in codeless_answers))
        self.restart(d, ["--no-index"])
        with d.connect() as c:
            self.assertIsNone(c.ok("server.status")["index"])
            self.assertEqual(answers(c, qs), with_index, "index and scan differ")
            self.assertEqual(answers(c, codeless), codeless_answers, "index and scan differ without a code")

        # Lagging: the indexer is paused, new postings are only in memory; pages still hold every committed entry.
        self.restart(d, env={"WHSED_DEBUG_INDEX": "pause"})
        with d.connect() as c:
            post(c, rng, 80)
            s = index_status(c)
            self.assertEqual(s["state"], "paused")
            self.assertGreater(s["lagEntries"]["warehouse"], 50, s)
            qs = queries(2)
            lagging = answers(c, qs)
        self.restart(d, ["--no-index"])
        with d.connect() as c:
            self.assertEqual(answers(c, qs), lagging, "a lagging index and the scan differ")
        self.restart(d)
        with d.connect() as c:
            s = wait_caught_up(self, c)
            self.assertEqual(s["rebuilds"], 0, s)
            self.assertEqual(answers(c, qs), lagging)
        self.assertEqual(d.terminate(), 0)
        original = dump(self.index_path(d))
        self.assertGreater(len(original["warehouse_entries"]), 300)

        # Deleted, then overwritten with garbage: rebuilt at start-up, equal to the original.
        for damage in ("delete", "garbage"):
            path = self.index_path(d)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.unlink(path + suffix)
            if damage == "garbage":
                with open(path, "wb") as f:
                    f.write(os.urandom(200_000))
            d.start()
            with d.connect() as c:
                s = wait_caught_up(self, c)
                self.assertEqual(s["rebuilds"], 1, (damage, s))
                self.assertEqual(answers(c, qs), lagging, damage)
            self.assertEqual(d.terminate(), 0)
            self.assertEqual(dump(path), original, f"the index rebuilt after {damage} differs")
            self.assertIn("rebuilding the entry index", d.log())

        # whsed --rebuild-index DIR (offline).
        r = subprocess.run([WHSED, "--rebuild-index", d.state], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("rebuilt the entry index", r.stdout)
        self.assertEqual(dump(self.index_path(d)), original)

        # SIGKILL while the indexer catches up (slowly: 100 entries per transaction, 50 ms apart).
        d.start(args=[], env={"WHSED_DEBUG_INDEX": "pause"})
        with d.connect() as c:
            post(c, rng, 300)
            behind = index_status(c)
        self.assertEqual(d.terminate(), 0)
        d.start(env={"WHSED_DEBUG_INDEX": "slow"})
        with d.connect() as c:
            s = index_status(c)
        d.kill()
        self.assertLess(s["watermarks"]["warehouse"], behind["watermarks"]["warehouse"]
                        + behind["lagEntries"]["warehouse"], s)
        d.start(env={})
        with d.connect() as c:
            s = wait_caught_up(self, c)
            total = c.ok("server.status")
            self.assertEqual(s["watermarks"]["warehouse"], total["warehouseEntries"])
            self.assertEqual(s["watermarks"]["item"], total["itemLedgerEntries"])
            qs = queries(3)
            after_kill = answers(c, qs)
        self.assertEqual(d.terminate(), 0)
        converged = dump(self.index_path(d))
        r = subprocess.run([WHSED, "--rebuild-index", d.state], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(dump(self.index_path(d)), converged, "the index after SIGKILL differs from a rebuild")
        d.start(args=["--no-index"], env={})
        with d.connect() as c:
            self.assertEqual(answers(c, qs), after_kill)

    def test_an_index_not_stopped_cleanly_is_rebuilt_after_a_reboot(self):
        # The index is written without syncs: after a SIGKILL the kernel still has every write (kept), after a
        # restart of the machine it may be torn (rebuilt), unless whsed stopped cleanly and synced it (kept).
        # WHSED_DEBUG_BOOT_ID stands in for the kernel's boot id.
        rng = random.Random(7)
        d = self.new_daemon()
        d.start(env={"WHSED_DEBUG_BOOT_ID": "b1"})
        with d.connect() as c:
            setup(c)
            post(c, rng, 40)
            wait_caught_up(self, c)
        self.assertEqual(d.terminate(), 0, d.log())
        for boot, how, rebuilt in (("b2", "clean stop, then a reboot", 0), ("b2", "SIGKILL, same boot", 0),
                                   ("b3", "SIGKILL, then a reboot", 1)):
            d.start(env={"WHSED_DEBUG_BOOT_ID": boot})
            with d.connect() as c:
                s = wait_caught_up(self, c)
                self.assertEqual(s["rebuilds"], rebuilt, (how, s))
                if rebuilt:
                    self.assertIn("the machine restarted", s["lastRebuildReason"], s)
                post(c, rng, 20)
                wait_caught_up(self, c)
                qs = queries(9)
                got = answers(c, qs)
            d.kill()
        d.start(args=["--no-index"], env={})
        with d.connect() as c:
            self.assertEqual(answers(c, qs), got, "the index kept or rebuilt answers otherwise than the scan")

    def test_date_and_entry_ranges_are_checked(self):
        d = self.new_daemon()
        d.start()
        with d.connect() as c:
            for bad in ("2026-13-01", "2026-02-30", "26-01-01", "", "yesterday"):
                for name in ("fromDate", "toDate"):
                    r = c.rpc("entries.warehouse", {name: bad}, id=1)
                    self.assertEqual(r.get("error", {}).get("code"), -32602, (name, bad, r))
                    self.assertEqual(r["error"].get("data", {}).get("param"), name, r)
            for name in ("fromEntryNo", "toEntryNo"):
                r = c.rpc("entries.item", {name: 0}, id=2)
                self.assertEqual(r.get("error", {}).get("code"), -32602, (name, r))
            ok = c.ok("entries.physInventory", {"fromDate": "2026-01-01", "toDate": "2025-01-01",
                                                "fromEntryNo": 9, "toEntryNo": 3})
            self.assertEqual(ok, {"entries": [], "nextAfter": None})

    def test_rebuild_index_refuses_while_whsed_serves_the_folder(self):
        d = self.new_daemon()
        d.start()
        with d.connect() as c:
            wait_caught_up(self, c)
        r = subprocess.run([WHSED, "--rebuild-index", d.state], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
