"""History out of RAM (issue 14 items 1, 3 and 5; docs/on-disk-format.md 12), end to end on the real binary.

Entries posted across several checkpoints go to the history files and leave memory; entries.* pages, server.verify
and the change feed still see every one of them, the same as a `--no-index` run, after a SIGKILL and restart, with
the index deleted (rebuilt from the history files), from a backup, and `whsed --verify` reads every block. whsed's
RSS grows far less than the entries it posts would take in memory.
"""
import os
import random
import subprocess
import time
import unittest

from harness import BIN_DIR, WHSED, DaemonTestCase
from test_entry_index import ITEMS, answers, codeless_queries, queries, setup, wait_caught_up

WHSECTL = os.path.join(BIN_DIR, "whsectl")
BINS = ["S-01", "S-02", "S-03", "S-04"]


def journal(conn, rng, lines):
    """One item journal of `lines` lines (receipts and a few sales back out of the bins)."""
    out = []
    for _ in range(lines):
        item = rng.choice(ITEMS)
        line = {"entryType": "purchase", "item": item, "quantity": rng.randint(1, 9), "location": "BASIC",
                "bin": rng.choice(BINS)}
        if item == "LOTI":
            line["lot"] = rng.choice(["L1", "L2", "L3"])
        out.append(line)
    return conn.ok("itemJournal.post", {"documentNo": f"D{rng.randint(1, 10)}", "lines": out}, timeout=60)


def history(conn):
    return conn.ok("server.status")["history"]


def wait_dropped(test, conn, at_least, timeout=60):
    """Waits until the committed view holds no warehouse entry below `at_least` in memory."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        h = history(conn)
        if h["firstInMemory"]["warehouse"] >= at_least:
            return h
        time.sleep(0.05)
    test.fail(f"the old entries did not leave memory: {history(conn)}")


def dump_pages(conn, method, limit=1000):
    """Every entry of a ledger, page by page."""
    out, after = [], 0
    while True:
        r = conn.ok(method, {"after": after, "limit": limit}, id="d", timeout=60)
        out += r["entries"]
        if r.get("nextAfter") is None:
            return out
        after = r["nextAfter"]


class HistoryTest(DaemonTestCase):
    def restart(self, d, args=(), env=None):
        self.assertEqual(d.terminate(), 0, d.log())
        d.start(args=list(args), env=env or {})

    def test_history_across_checkpoints_equals_the_in_memory_books(self):
        rng = random.Random(12)
        d = self.new_daemon(args=["--checkpoint-every", "0"])
        d.start()
        with d.connect() as c:
            setup(c)
            for _ in range(3):
                for _ in range(16):
                    journal(c, rng, 100)
                cp = c.ok("server.checkpoint", timeout=60)
                self.assertTrue(cp["written"], cp)
            wait_caught_up(self, c)
            status = c.ok("server.status")
            total = status["warehouseEntries"]
            self.assertGreaterEqual(total, 4800)
            h = status["history"]
            self.assertEqual(h["entries"]["warehouse"], total // 4096 * 4096, h)
            self.assertGreater(h["fileBytes"], 0)
            # Once the index holds them too, the whole chunks leave memory (the next batch or checkpoint drops).
            journal(c, rng, 1)
            h = wait_dropped(self, c, h["entries"]["warehouse"] + 1)
            qs = queries(5, n=150) + codeless_queries(5) + [("entries.warehouse", {"after": 10, "limit": 1000}),
                                      ("entries.item", {"after": 4000, "limit": 300})]
            before = answers(c, qs)
            everything = dump_pages(c, "entries.warehouse")
            self.assertEqual([e["entryNo"] for e in everything], list(range(1, total + 2)))
            self.assertEqual(c.ok("server.verify", timeout=120)["violations"], [])
        files = sorted(os.listdir(os.path.join(d.state, "history")))
        self.assertIn("warehouse-000000000001.ent", files)
        self.assertIn("item-000000000001.ent", files)
        # The snapshot holds the working set: far smaller than the entries in the history files.
        snaps = [f for f in os.listdir(d.state) if f.endswith(".snap")]
        snap_bytes = os.path.getsize(os.path.join(d.state, snaps[0]))
        self.assertLess(snap_bytes, h["fileBytes"] / 2, (snap_bytes, h))

        # The same answers from --no-index (a scan of the history files), after a SIGKILL, and with the index
        # deleted (rebuilt from the history files; pages scan them meanwhile).
        self.restart(d, ["--no-index", "--checkpoint-every", "0"])
        with d.connect() as c:
            self.assertEqual(answers(c, qs), before, "--no-index differs")
            self.assertEqual(dump_pages(c, "entries.warehouse"), everything)
            self.assertEqual(c.ok("server.verify", timeout=120)["violations"], [])
        self.restart(d, ["--checkpoint-every", "0"])
        with d.connect() as c:
            journal(c, rng, 50)
            qs2 = qs + [("entries.warehouse", {"after": total - 5, "limit": 1000})]
            after_post = answers(c, qs2)
        d.kill()
        d.start()
        with d.connect() as c:
            self.assertEqual(answers(c, qs2), after_post, "after SIGKILL")
            wait_caught_up(self, c)
        self.assertEqual(d.terminate(), 0)
        index = os.path.join(d.state, "index", "entries.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(index + suffix):
                os.unlink(index + suffix)
        d.start(env={"WHSED_DEBUG_INDEX": "slow"})
        with d.connect() as c:
            self.assertEqual(answers(c, qs2), after_post, "while the index is rebuilt from the history files")
        self.restart(d)
        with d.connect() as c:
            wait_caught_up(self, c)
            self.assertEqual(answers(c, qs2), after_post, "after the rebuild")
            self.assertEqual(c.ok("server.verify", timeout=120)["violations"], [])
            # An old cursor of the change feed reads its entries from the history files.
            c.send({"jsonrpc": "2.0", "id": "f", "method": "entries.follow", "params": {"afterSeq": 0}})
            seen = []
            while len(seen) < 200:
                m = c.recv(timeout=30)
                if m.get("method") == "entries.committed":
                    seen += m["params"]["warehouseEntries"]
            self.assertEqual([e["entryNo"] for e in seen[:200]], list(range(1, 201)))
            self.assertEqual(seen[0]["item"], everything[0]["item"])

        # whsed --verify reads every block; a backup holds every entry.
        self.assertEqual(d.terminate(), 0)
        r = subprocess.run([WHSED, "--verify", d.state], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        d.start()
        restored = os.path.join(self.tmp, "restored")
        r = subprocess.run([WHSECTL, "--socket", d.socket, "server", "backup", restored], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(d.terminate(), 0)
        b = self.new_daemon(subdir="b")
        b.state = restored
        b.start(args=["--no-index"])
        with b.connect() as c:
            self.assertEqual(answers(c, qs2), after_post, "the backup differs")

    def test_damaged_history_block_is_refused_by_verify(self):
        rng = random.Random(3)
        d = self.new_daemon(args=["--checkpoint-every", "0"])
        d.start()
        with d.connect() as c:
            setup(c)
            for _ in range(45):
                journal(c, rng, 100)
            c.ok("server.checkpoint", timeout=60)
        self.assertEqual(d.terminate(), 0)
        path = os.path.join(d.state, "history", "warehouse-000000000001.ent")
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.seek(size // 2)
            b = f.read(1)
            f.seek(size // 2)
            f.write(bytes([b[0] ^ 0x20]))
        r = subprocess.run([WHSED, "--verify", d.state], capture_output=True, text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("is damaged", r.stdout + r.stderr)
        self.assertIn(path, r.stdout + r.stderr)

    def test_rss_stays_bounded_by_the_working_set(self):
        """Journals of 500 lines, a checkpoint every 50 records. Kept in memory (`--no-index`, or before this
        change), each line's warehouse and item ledger entry took about 420 bytes of RSS here (a debug build: 21 MB
        per 50,000 lines). With the history on disk whsed's RSS grows by the entry index's page cache (at most 64 MiB;
        at most what the index file grew) and a small fraction of that: over 100,000 lines after 200,000 (about 41 MB
        in memory), RSS less the index file's growth must grow by less than a quarter of it."""
        rng = random.Random(9)
        d = self.new_daemon(args=["--checkpoint-every", "50"])
        d.start()
        with d.connect() as c:
            setup(c)
            for _ in range(400):
                journal(c, rng, 500)
            wait_caught_up(self, c, timeout=120)
            journal(c, rng, 1)
            wait_dropped(self, c, c.ok("server.status")["history"]["entries"]["warehouse"] + 1)
            base = d.rss_kb()
            index_base = c.ok("server.status")["index"]["fileBytes"]
            for _ in range(200):
                journal(c, rng, 500)
            wait_caught_up(self, c, timeout=120)
            journal(c, rng, 1)
            h = wait_dropped(self, c, c.ok("server.status")["history"]["entries"]["warehouse"] + 1)
            grown = d.rss_kb() - base
            status = c.ok("server.status")
            entries = status["warehouseEntries"]
            # The index's page cache (up to 64 MiB) may grow by as much as its file did.
            index_kb = (status["index"]["fileBytes"] - index_base) // 1024
        in_ram_kb = 420 * 100_000 // 1024
        print(f"\nRSS grew {grown} kB over 100,000 lines (in memory: about {in_ram_kb} kB), the index file "
              f"{index_kb} kB; {entries} warehouse entries, {h['fileBytes']} bytes of history files")
        self.assertLess(grown - index_kb, in_ram_kb / 4, f"RSS grew {grown} kB, the index file {index_kb} kB")

if __name__ == "__main__":
    unittest.main()
