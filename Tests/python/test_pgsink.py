"""whsed-pgsink against a real PostgreSQL (started by each test in a scratch folder, Unix socket only; pg.py):
every (site, seq) exactly once however the sink, whsed or PostgreSQL stop, bin_content equal to whsed's bin
contents, a second sink for a site refused, two sites in one database kept apart, and whsed never waiting on
PostgreSQL. Skipped, saying why, only when PostgreSQL's programs are absent."""

import os
import random
import signal
import subprocess
import threading
import time
import unittest
from decimal import Decimal

from harness import BIN_DIR, DaemonTestCase, setup_master_data
from pg import PostgresCluster

PGSINK = os.path.join(BIN_DIR, "whsed-pgsink")
ITEMS = ["ITEM1", "ITEM2"]
BINS = ["A-01", "B-02"]


def master_data(conn):
    setup_master_data(conn)
    conn.ok("item.create", {"no": "ITEM2", "description": "Gadget"})


def one_line(key, rng):
    q = rng.choice([1, 2, 3, -1])
    return {"location": "WH1", "documentNo": key, "idempotencyKey": key,
            "lines": [{"item": rng.choice(ITEMS), "bin": rng.choice(BINS), "quantity": q}]}


class Posters:
    """`n` clients posting 1-line journals until stopped; records what was acknowledged and the slowest reply."""

    def __init__(self, daemon, n=4, prefix="p", pause=0.0, tolerate_loss=False):
        self.daemon, self.n, self.prefix, self.pause = daemon, n, prefix, pause
        self.tolerate_loss = tolerate_loss
        self.stop_flag = threading.Event()
        self.acked = set()
        self.ack_times = []
        self.max_latency = 0.0
        self.errors = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(n)]

    def run(self, i):
        rng = random.Random(i)
        k = 0
        conn = None
        while not self.stop_flag.is_set():
            try:
                if conn is None:
                    conn = self.daemon.connect(timeout=30)
                key = f"{self.prefix}{i}-{k}"
                t = time.monotonic()
                r = conn.rpc("whseItemJournal.register", one_line(key, rng), id=k, timeout=30)
                latency = time.monotonic() - t
                with self.lock:
                    self.max_latency = max(self.max_latency, latency)
                    if "result" in r:
                        self.acked.add(key)
                        self.ack_times.append(time.monotonic())
                k += 1
                if self.pause:
                    time.sleep(self.pause)
            except Exception as e:  # noqa: BLE001 - whsed may be killed on purpose
                if conn is not None:
                    conn.close()
                    conn = None
                if not self.tolerate_loss:
                    self.errors.append(e)
                    return
                k += 1
                time.sleep(0.1)
        if conn is not None:
            conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()

    def __exit__(self, *exc):
        self.stop()


class SinkTest(DaemonTestCase):
    def setUp(self):
        why = PostgresCluster.available()
        if why:
            self.skipTest(why)
        if not os.path.exists(PGSINK):
            self.fail(f"{PGSINK} is not built")
        super().setUp()
        self.pg = PostgresCluster().init().start()
        self.addCleanup(self.pg.destroy)
        self.pg.wait_ready()
        self.sinks = []
        self.addCleanup(self.stop_sinks)
        r = subprocess.run(self.sink_args(None) + ["--init-schema"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)

    def stop_sinks(self):
        for s in self.sinks:
            if s.poll() is None:
                s.kill()
                s.wait()

    def sink_args(self, daemon):
        args = [PGSINK, "--pg-socket", self.pg.socket, "--pg-user", self.pg.user, "--pg-database", self.pg.database,
                "--max-backoff-seconds", "2", "--heartbeat-millis", "200", "--pg-timeout-seconds", "5"]
        if daemon is not None:
            args += ["--socket", daemon.socket]
        return args

    def start_sink(self, daemon, log_name="sink.log", extra=()):
        log = open(os.path.join(self.tmp, log_name), "ab")
        s = subprocess.Popen(self.sink_args(daemon) + list(extra), stdout=log, stderr=log)
        log.close()
        self.sinks.append(s)
        return s

    def sink_log(self, name="sink.log"):
        with open(os.path.join(self.tmp, name), "rb") as f:
            return f.read().decode(errors="replace")

    def durable(self, daemon):
        with daemon.connect() as c:
            return int(c.ok("server.status")["log"]["lastSequence"])

    def wait_caught_up(self, daemon, site, timeout=120):
        target = self.durable(daemon)
        deadline = time.monotonic() + timeout
        while True:
            last = self.pg.value(f"SELECT last_seq FROM sink_cursor WHERE site_id = '{site}'")
            if last is not None and int(last) >= target:
                return target
            if time.monotonic() > deadline:
                raise AssertionError(f"the sink reached seq {last} of {target} in {timeout} s: "
                                     f"{self.sink_log()[-2000:]}")
            time.sleep(0.1)

    def assertExactlyOnce(self, daemon, site):
        n = self.durable(daemon)
        count, distinct, lo, hi = self.pg.sql(
            f"SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM log_record WHERE site_id = '{site}'")[0]
        self.assertEqual((int(count), int(distinct), int(lo), int(hi)), (n, n, 1, n), f"site {site}: seq 1..{n}")
        with daemon.connect() as c:
            entries = c.ok("server.status")["warehouseEntries"]
        count, distinct, hi = self.pg.sql(
            f"SELECT count(*), count(DISTINCT entry_no), coalesce(max(entry_no), 0) FROM warehouse_entry "
            f"WHERE site_id = '{site}'")[0]
        self.assertEqual((int(count), int(distinct), int(hi)), (entries, entries, entries))

    def assertBinContentsEqual(self, daemon, site):
        expected = {}
        with daemon.connect() as c:
            for item in ITEMS:
                for r in c.ok("item.bins", {"item": item})["rows"]:
                    key = (r["location"], r["bin"], r["item"], r["unitOfMeasure"], r.get("lot") or "",
                           r.get("serial") or "")
                    expected[key] = Decimal(str(r["quantity"]))
        got = {}
        for loc, b, item, uom, lot, serial, q in self.pg.sql(
                "SELECT location, bin, item, unit_of_measure, lot, serial, quantity FROM bin_content "
                f"WHERE site_id = '{site}' AND quantity <> 0"):
            got[(loc, b, item, uom, lot, serial)] = Decimal(q)
        self.assertEqual(got, expected, f"site {site}: bin_content differs from whsed's item.bins")
        self.assertTrue(expected, "nothing to compare")

    def assertAvailabilityEqual(self, daemon, site):
        with daemon.connect() as c:
            for item in ITEMS:
                for a in c.ok("item.availability", {"item": item})["locations"]:
                    row = self.pg.sql(f"SELECT available_to_pick, available_to_reserve FROM availability "
                                      f"WHERE site_id = '{site}' AND location = '{a['location']}' "
                                      f"AND item = '{item}' AND lot = ''")
                    self.assertEqual([Decimal(x) for x in row[0]],
                                     [Decimal(str(a["availableToPick"])), Decimal(str(a["availableToReserve"]))])


class SinkKilled(SinkTest):
    def test_sink_killed_20_times_while_4_clients_post(self):
        d = self.start_daemon(args=["--site-id", "site-A"])
        with d.connect() as c:
            master_data(c)
        rng = random.Random(16)
        sink = self.start_sink(d)
        with Posters(d, 4) as posters:
            for _ in range(20):
                time.sleep(rng.uniform(0.05, 0.6))
                sink.kill()
                sink.wait()
                sink = self.start_sink(d)
            time.sleep(0.5)
            posters.stop()
            self.assertEqual(posters.errors, [])
        self.wait_caught_up(d, "site-A")
        self.assertExactlyOnce(d, "site-A")
        self.assertBinContentsEqual(d, "site-A")
        self.assertAvailabilityEqual(d, "site-A")
        self.assertGreater(len(posters.acked), 50)


class WhsedKilled(SinkTest):
    def test_whsed_killed_during_the_stream_nothing_acknowledged_missing_no_seq_reused(self):
        d = self.start_daemon(args=["--site-id", "site-A"])
        with d.connect() as c:
            master_data(c)
        self.start_sink(d)
        with Posters(d, 4, tolerate_loss=True) as posters:
            time.sleep(1.5)
            d.kill()
            time.sleep(0.3)
            d.start()
            time.sleep(1.5)
            posters.stop()
        target = self.wait_caught_up(d, "site-A")
        self.assertExactlyOnce(d, "site-A")
        documents = {r[0] for r in self.pg.sql(
            "SELECT DISTINCT document_no FROM warehouse_entry WHERE site_id = 'site-A'")}
        missing = posters.acked - documents
        self.assertEqual(missing, set(), "acknowledged postings missing from PostgreSQL")
        self.assertBinContentsEqual(d, "site-A")
        # The records PostgreSQL holds are whsed's records of those seqs, not reused numbers.
        epoch = self.pg.value("SELECT log_epoch FROM sink_cursor WHERE site_id = 'site-A'")
        self.assertEqual({r[0] for r in self.pg.sql("SELECT DISTINCT log_epoch FROM log_record")}, {epoch})
        self.assertGreater(target, 20)


class PostgresStopped(SinkTest):
    def test_postgres_stopped_60_s_under_load_the_sink_retries_and_catches_up_whsed_never_waits(self):
        d = self.start_daemon(args=["--site-id", "site-A"])
        with d.connect() as c:
            master_data(c)
        self.start_sink(d)
        with Posters(d, 4, pause=0.01) as posters:
            time.sleep(2)
            self.pg.stop()
            stopped = time.monotonic()
            before = len(posters.acked)
            time.sleep(60)
            during = len(posters.acked) - before
            latency_while_down = posters.max_latency
            self.pg.start()
            restarted = time.monotonic()
            time.sleep(2)
            posters.stop()
            self.assertEqual(posters.errors, [])
        # whsed never waits on the sink: postings were acknowledged in every 5 s of the outage. (A single slow
        # reply is the disk's: the assertion names the slowest fdatasync of the run.)
        with d.connect() as c:
            slowest_sync = c.ok("server.status")["log"]["maxSyncMicroseconds"] / 1e6
        for w in range(12):
            lo, hi = stopped + 5 * w, stopped + 5 * (w + 1)
            n = sum(1 for t in posters.ack_times if lo <= t < hi)
            self.assertGreater(n, 0, f"no posting acknowledged in seconds {5 * w}-{5 * (w + 1)} of the outage "
                                     f"(slowest fdatasync {slowest_sync:.2f} s)")
        self.assertGreater(during, 1000, "postings slowed down while PostgreSQL was down")
        self.assertLess(latency_while_down, 3.0, f"a posting waited {latency_while_down:.1f} s (slowest "
                                                  f"fdatasync {slowest_sync:.2f} s)")
        self.wait_caught_up(d, "site-A", timeout=120)
        caught_up = time.monotonic() - restarted
        log = self.sink_log()
        retries = [float(x.split("retrying in ")[1].split(" s")[0]) for x in log.splitlines() if "retrying in" in x]
        self.assertGreater(len(retries), 5, log[-2000:])
        self.assertEqual(max(retries), 2.0, "the backoff did not grow to its cap")
        self.assertLess(len(retries), 60 / 2.0 + 15, "retries not backed off")
        self.assertExactlyOnce(d, "site-A")
        self.assertBinContentsEqual(d, "site-A")
        print(f"\n  PostgreSQL down {restarted - stopped:.0f} s: {during} postings acknowledged meanwhile, slowest "
              f"{latency_while_down * 1000:.0f} ms (slowest fdatasync {slowest_sync * 1000:.0f} ms); "
              f"{len(retries)} retries; caught up {caught_up:.1f} s after restart")


class TwoSinksTwoSites(SinkTest):
    def test_a_second_sink_for_a_site_is_refused(self):
        d = self.start_daemon(args=["--site-id", "site-A"])
        with d.connect() as c:
            master_data(c)
        self.start_sink(d)
        self.wait_caught_up(d, "site-A")
        r = subprocess.run(self.sink_args(d), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("another whsed-pgsink", r.stderr)

    def test_two_sites_feed_one_database_and_stay_apart(self):
        a = self.start_daemon(args=["--site-id", "site-A"], subdir="a")
        b = self.start_daemon(args=["--site-id", "site-B"], subdir="b")
        for d in (a, b):
            with d.connect() as c:
                master_data(c)
        self.start_sink(a, "sink-a.log")
        self.start_sink(b, "sink-b.log")
        with Posters(a, 2, prefix="a"), Posters(b, 2, prefix="b"):
            time.sleep(2)
        self.wait_caught_up(a, "site-A")
        self.wait_caught_up(b, "site-B")
        for d, site in ((a, "site-A"), (b, "site-B")):
            self.assertExactlyOnce(d, site)
            self.assertBinContentsEqual(d, site)
        self.assertEqual({r[0] for r in self.pg.sql(
            "SELECT DISTINCT left(document_no, 1) FROM warehouse_entry WHERE site_id = 'site-A'")}, {"a"})
        self.assertEqual({r[0] for r in self.pg.sql(
            "SELECT DISTINCT left(document_no, 1) FROM warehouse_entry WHERE site_id = 'site-B'")}, {"b"})
        sites = self.pg.sql("SELECT site_id, count(*) FROM log_record GROUP BY site_id ORDER BY site_id")
        self.assertEqual([s for s, _ in sites], ["site-A", "site-B"])



class Linger(SinkTest):
    """--linger-millis: at the head of the log a batch that is not full waits for more records, from its first; a
    full batch never waits; the option's edges."""

    def test_the_linger_options_edges(self):
        for bad in ("-1", "5001", "ten"):
            r = subprocess.run(self.sink_args(None) + ["--init-schema", "--linger-millis", bad], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 64, f"--linger-millis {bad}: {r.stderr}")
            self.assertIn("--linger-millis", r.stderr)
        for good in ("0", "5000"):
            r = subprocess.run(self.sink_args(None) + ["--init-schema", "--linger-millis", good], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, f"--linger-millis {good}: {r.stderr}")

    def transactions(self, first, last):
        """The seqs first..last grouped by the PostgreSQL transaction that wrote them."""
        groups = {}
        for seq, xid in self.pg.sql(f"SELECT seq, xmin::text FROM log_record WHERE site_id = 'site-A' "
                                    f"AND seq BETWEEN {first} AND {last} ORDER BY seq"):
            groups.setdefault(xid, []).append(int(seq))
        return sorted(groups.values())

    def post(self, c, keys, pause):
        rng = random.Random(7)
        for key in keys:
            c.ok("whseItemJournal.register", one_line(key, rng))
            time.sleep(pause)
        return self.durable_seq(c)

    @staticmethod
    def durable_seq(c):
        return int(c.ok("server.status")["log"]["lastSequence"])

    def test_records_within_the_linger_go_in_one_transaction_and_a_full_batch_does_not_wait(self):
        d = self.start_daemon(args=["--site-id", "site-A"])
        with d.connect() as c:
            master_data(c)
        self.start_sink(d, extra=["--linger-millis", "5000", "--max-batch-records", "5"])
        self.wait_caught_up(d, "site-A")
        with d.connect() as c:
            # Three postings 0.3 s apart: without a linger each would be a transaction of its own.
            start = self.durable_seq(c) + 1
            first_acked = time.monotonic()
            last = self.post(c, ["slow-1", "slow-2", "slow-3"], 0.3)
            self.wait_caught_up(d, "site-A")
            waited = time.monotonic() - first_acked
            self.assertEqual(self.transactions(start, last), [[start, start + 1, start + 2]])
            self.assertGreater(waited, 4.0, "the batch went in before its linger had passed")
            # Ten postings at once: two full batches of 5, each committed without waiting for the linger.
            start = last + 1
            last = self.post(c, [f"fast-{i}" for i in range(10)], 0)
            acked = time.monotonic()
            self.wait_caught_up(d, "site-A")
            self.assertLess(time.monotonic() - acked, 4.0, "a full batch waited for the linger")
            self.assertEqual(self.transactions(start, last), [list(range(start, start + 5)),
                                                              list(range(start + 5, start + 10))])
        self.assertExactlyOnce(d, "site-A")
        self.assertBinContentsEqual(d, "site-A")


class Reseed(SinkTest):
    def test_after_a_restore_the_sink_refuses_and_reseed_brings_the_site_back(self):
        d = self.start_daemon(args=["--site-id", "site-A"], subdir="live")
        with d.connect() as c:
            master_data(c)
        sink = self.start_sink(d)
        with Posters(d, 2, prefix="a"):
            time.sleep(1)
        backup = os.path.join(self.tmp, "backup")
        r = subprocess.run([os.path.join(BIN_DIR, "whsectl"), "--socket", d.socket, "server", "backup", backup],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with Posters(d, 2, prefix="b"):
            time.sleep(0.5)
        self.wait_caught_up(d, "site-A")
        sink.kill()
        sink.wait()
        d.kill()
        # The restore: a whsed on the backup. Its sequence numbers after the backup's are reused, under a new epoch.
        restored = self.new_daemon(args=["--site-id", "site-A"], subdir="restored")
        os.rename(backup, restored.state)
        restored.start()
        with Posters(restored, 2, prefix="c"):
            time.sleep(0.5)
        r = subprocess.run(self.sink_args(restored), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("epoch", r.stderr)
        r = subprocess.run(self.sink_args(restored) + ["--reseed"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        reseeded_at = int(self.pg.value("SELECT last_seq FROM sink_cursor WHERE site_id = 'site-A'"))
        self.start_sink(restored)
        with Posters(restored, 2, prefix="d"):
            time.sleep(0.5)
        n = self.wait_caught_up(restored, "site-A")
        self.assertBinContentsEqual(restored, "site-A")
        self.assertAvailabilityEqual(restored, "site-A")
        with restored.connect() as c:
            entries = c.ok("server.status")["warehouseEntries"]
        count, distinct, hi = self.pg.sql("SELECT count(*), count(DISTINCT entry_no), max(entry_no) "
                                          "FROM warehouse_entry WHERE site_id = 'site-A'")[0]
        self.assertEqual((int(count), int(distinct), int(hi)), (entries, entries, entries))
        # No "b" posting survived the restore, and the records after the reseed are there once each.
        self.assertEqual(self.pg.value("SELECT count(*) FROM warehouse_entry WHERE document_no LIKE 'b%'"), "0")
        count, lo, hi = self.pg.sql("SELECT count(*), min(seq), max(seq) FROM log_record WHERE site_id = 'site-A'")[0]
        self.assertEqual((int(count), int(lo), int(hi)), (n - reseeded_at, reseeded_at + 1, n))

    def test_reseed_fills_the_lot_rows_of_availability_as_the_stream_does(self):
        d = self.start_daemon(args=["--site-id", "site-L"])
        with d.connect() as c:
            master_data(c)
            c.ok("item.create", {"no": "LOT1", "tracking": {"lot": True}})
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "IN", "lines": [
                {"item": "LOT1", "bin": "A-01", "quantity": 10, "lot": "L1"},
                {"item": "LOT1", "bin": "B-02", "quantity": 4, "lot": "L2"},
                {"item": "ITEM1", "bin": "A-01", "quantity": 5}]})
            c.ok("reservation.create", {"location": "WH1", "item": "LOT1", "quantity": 3, "lot": "L1"})
            c.ok("itemTracking.setBlocked", {"item": "LOT1", "lot": "L2", "blocked": True})
        r = subprocess.run(self.sink_args(d) + ["--reseed"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)

        def rows():
            return {(loc, item, lot): (Decimal(p), Decimal(q)) for loc, item, lot, p, q in self.pg.sql(
                "SELECT location, item, lot, available_to_pick, available_to_reserve FROM availability "
                "WHERE site_id = 'site-L'")}
        self.assertEqual(rows(), {
            ("WH1", "ITEM1", ""): (5, 5),
            ("WH1", "LOT1", ""): (10, 11),
            ("WH1", "LOT1", "L1"): (10, 7),
            ("WH1", "LOT1", "L2"): (0, 0),
        })
        # The stream goes on from the reseed's cursor and moves the same rows: the unblock and a posting to L1.
        self.start_sink(d)
        with d.connect() as c:
            c.ok("itemTracking.setBlocked", {"item": "LOT1", "lot": "L2", "blocked": False})
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "IN2", "lines": [
                {"item": "LOT1", "bin": "A-01", "quantity": 1, "lot": "L1"}]})
        self.wait_caught_up(d, "site-L")
        self.assertEqual(rows(), {
            ("WH1", "ITEM1", ""): (5, 5),
            ("WH1", "LOT1", ""): (15, 12),
            ("WH1", "LOT1", "L1"): (11, 8),
            ("WH1", "LOT1", "L2"): (4, 4),
        })


class EntryColumns(SinkTest):
    """The sink sends quantities, dates and timestamps in PostgreSQL's binary forms: every column of every entry
    must still equal what whsed reports, to the fifth decimal place and the second."""

    W_FIELDS = ["entryNo", "entryType", "registeringDate", "location", "zone", "bin", "item", "quantity",
                "quantityBase", "unitOfMeasure", "quantityPerUnitOfMeasure", "documentNo", "source", "registerNo",
                "user", "timestamp", "lot", "serial", "expirationDate"]
    I_FIELDS = ["entryNo", "entryType", "postingDate", "documentNo", "location", "item", "quantity", "unitOfMeasure",
                "quantityPerUnitOfMeasure", "warehouseAdjustment", "source", "user", "timestamp", "lot", "serial",
                "expirationDate"]

    @staticmethod
    def exact(v):
        """A JSON number (read as int or float) as the decimal whsed wrote: repr is the shortest text that reads
        back, and whsed's quantities have at most 15 significant digits here."""
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)

    def entries(self, c, method, fields):
        out, after = [], 0
        while True:
            params = {"limit": 1000, "fields": fields}
            if after:
                params["after"] = after
            res = c.ok(method, params)
            out.extend(res["entries"])
            if res.get("nextAfter") is None:
                return out
            after = res["nextAfter"]

    def test_every_entry_column_equals_whseds_entries_exactly(self):
        d = self.start_daemon(args=["--site-id", "site-C"])
        self.start_sink(d)
        with d.connect() as c:
            master_data(c)
            c.ok("item.create", {"no": "BOXED",
                                 "unitsOfMeasure": [{"code": "BOX", "quantityPerUnitOfMeasure": "12.5"}]})
            c.ok("item.create", {"no": "LOT1", "tracking": {"lot": True}})
            c.ok("whseItemJournal.register", {"location": "WH1", "documentNo": "IN-1", "lines": [
                {"item": "ITEM1", "bin": "A-01", "quantity": "0.00001"},
                {"item": "ITEM1", "bin": "B-02", "quantity": "98765432.12345"},
                {"item": "ITEM2", "bin": "A-01", "quantity": "10000"},
                {"item": "ITEM2", "bin": "B-02", "quantity": "0.1"},
                {"item": "BOXED", "bin": "A-01", "quantity": "3.5", "unitOfMeasure": "BOX"},
                {"item": "LOT1", "bin": "A-01", "quantity": "7", "lot": "L1"}]})
            c.ok("whseItemJournal.register", {"location": "WH1", "lines": [
                {"item": "ITEM1", "bin": "A-01", "quantity": "-0.00001"},
                {"item": "ITEM1", "bin": "B-02", "quantity": "-12345.6789"},
                {"item": "BOXED", "bin": "A-01", "quantity": "-0.2", "unitOfMeasure": "BOX"}]})
            # Item ledger entries: the warehouse adjustment of the stock above, posted.
            c.ok("itemJournal.calculateWhseAdjustment", {"location": "WH1"})
            c.ok("itemJournal.post", {"batch": "DEFAULT"})
            warehouse = self.entries(c, "entries.warehouse", self.W_FIELDS)
            item = self.entries(c, "entries.item", self.I_FIELDS)
        self.wait_caught_up(d, "site-C")
        utc = "to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        got = self.pg.sql(
            "SELECT entry_no, entry_type, registering_date, location, coalesce(zone, '~'), bin, item, quantity, "
            "quantity_base, unit_of_measure, quantity_per_unit_of_measure, document_no, source, register_no, "
            f"user_name, {utc}, lot, serial, coalesce(expiration_date::text, '~') FROM warehouse_entry "
            "WHERE site_id = 'site-C' ORDER BY entry_no")
        self.assertEqual(len(got), len(warehouse))
        self.assertGreater(len(warehouse), 18)
        for row, e in zip(got, warehouse):
            want = [str(e["entryNo"]), e["entryType"], e["registeringDate"], e["location"], e["zone"] or "~", e["bin"],
                    e["item"], self.exact(e["quantity"]), self.exact(e["quantityBase"]), e["unitOfMeasure"],
                    self.exact(e["quantityPerUnitOfMeasure"]), e["documentNo"], e["source"], str(e["registerNo"]),
                    e["user"], e["timestamp"], e["lot"] or "", e["serial"] or "", e["expirationDate"] or "~"]
            have = row[:7] + [Decimal(row[7]), Decimal(row[8])] + row[9:10] + [Decimal(row[10])] + row[11:]
            self.assertEqual(have, want)
        got = self.pg.sql(
            "SELECT entry_no, entry_type, posting_date, document_no, location, item, quantity, unit_of_measure, "
            f"quantity_per_unit_of_measure, warehouse_adjustment, source, user_name, {utc}, lot, serial, "
            "coalesce(expiration_date::text, '~') FROM item_ledger_entry WHERE site_id = 'site-C' ORDER BY entry_no")
        self.assertEqual(len(got), len(item))
        self.assertEqual(len(item), 4)  # one adjustment per item: sums to the fifth decimal place
        for row, e in zip(got, item):
            want = [str(e["entryNo"]), e["entryType"], e["postingDate"], e["documentNo"], e["location"], e["item"],
                    self.exact(e["quantity"]), e["unitOfMeasure"], self.exact(e["quantityPerUnitOfMeasure"]),
                    "t" if e["warehouseAdjustment"] else "f", e["source"], e["user"], e["timestamp"], e["lot"] or "",
                    e["serial"] or "", e["expirationDate"] or "~"]
            have = row[:6] + [Decimal(row[6]), row[7], Decimal(row[8])] + row[9:]
            self.assertEqual(have, want)
        # The quantities as PostgreSQL holds them: numeric(38,5), exact.
        self.assertEqual(self.pg.value("SELECT quantity::text FROM warehouse_entry WHERE site_id = 'site-C' AND "
                                       "bin = 'B-02' AND item = 'ITEM1' AND quantity > 0"), "98765432.12345")


if __name__ == "__main__":
    unittest.main()
