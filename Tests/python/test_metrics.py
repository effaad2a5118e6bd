"""server.metrics: the Prometheus text is parsed with the real Prometheus Python client's parser
(prometheus_client.parser.text_string_to_metric_families, Debian package python3-prometheus-client), and its counts
are checked to move with real postings, refusals, reads, connections and snapshots of a real whsed.
"""

import json
import os
import subprocess
import sys
import time
import unittest

from harness import BIN_DIR, DaemonTestCase, request, setup_master_data
from test_access import nobody_prefix, nobody_python

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:   # a missing parser is an error, never a skip: CI installs it (scripts/install-deps)
    raise ImportError("test_metrics needs the Prometheus Python client: apt-get install python3-prometheus-client "
                      f"(Debian), or pip install prometheus_client ({sys.executable})") from e

POST = "whseItemJournal.register"


class Metrics:
    """The families of one server.metrics text, by name, and their samples."""

    def __init__(self, text):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}

    def sample(self, name, **labels):
        """The value of the sample `name` with exactly `labels`; fails when there is none."""
        for f in self.families.values():
            for s in f.samples:
                if s.name == name and s.labels == {k: str(v) for k, v in labels.items()}:
                    return s.value
        raise AssertionError(f"no sample {name}{labels} in:\n{self.text}")

    def type_of(self, family):
        return self.families[family].type


def metrics(conn):
    r = conn.ok("server.metrics", id="m")
    assert r["format"] == "text/plain; version=0.0.4; charset=utf-8", r["format"]
    return Metrics(r["text"])


def m_last(conn):
    """The sequence of the last synced log record (whsed_log_last_sequence)."""
    return metrics(conn).sample("whsed_log_last_sequence")


def journal(key, lines, quantity=1):
    return {"location": "WH1", "documentNo": key, "idempotencyKey": key,
            "lines": [{"item": "ITEM1", "bin": "A-01" if i % 2 == 0 else "B-02", "quantity": quantity}
                      for i in range(lines)]}


class MetricsTest(DaemonTestCase):
    def test_the_text_parses_and_its_families_have_their_types(self):
        d = self.start_daemon()
        with d.connect() as c:
            m = metrics(c)
        want = {
            "whsed_postings": "counter", "whsed_posting_lines": "counter", "whsed_entries": "counter",
            "whsed_log_syncs": "counter", "whsed_log_sync_duration_seconds": "histogram",
            "whsed_group_commit_postings": "histogram", "whsed_log_written_bytes": "counter",
            "whsed_checkpoints": "counter", "whsed_last_checkpoint_timestamp_seconds": "gauge",
            "whsed_last_checkpoint_duration_seconds": "gauge", "whsed_connections": "gauge",
            "whsed_connections_accepted": "counter", "whsed_refusals": "counter",
            "whsed_read_duration_seconds": "histogram", "whsed_log_segment_bytes": "gauge",
            "whsed_snapshot_bytes": "gauge", "whsed_log_last_sequence": "gauge",
            "whsed_writer_queued_postings": "gauge", "whsed_start_time_seconds": "gauge",
            "whsed_ledger_entries": "gauge",
        }
        for family, kind in want.items():
            self.assertIn(family, m.families, f"no family {family}:\n{m.text}")
            self.assertEqual(m.type_of(family), kind, family)
            self.assertTrue(m.families[family].documentation, f"{family} has no HELP line")
        # Every known reason and read method is there from the start, at 0.
        self.assertEqual(m.sample("whsed_refusals_total", reason="insufficient_quantity"), 0)
        self.assertEqual(m.sample("whsed_read_duration_seconds_count", method="bin.contents"), 0)
        self.assertEqual(m.sample("whsed_postings_total", method=POST), 0)
        self.assertAlmostEqual(m.sample("whsed_start_time_seconds"), time.time(), delta=120)
        self.assertGreater(m.sample("whsed_log_segment_bytes"), 0)
        # The families are in name order, each name once.
        names = [l.split()[2] for l in m.text.splitlines() if l.startswith("# TYPE ")]
        self.assertEqual(names, sorted(set(names)))

    def test_postings_lines_entries_syncs_and_batches_move_with_real_postings(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            before = metrics(c)
            status0 = c.ok("server.status")
            for i in range(5):
                c.ok(POST, journal(f"P-{i}", lines=3))
            c.ok(POST, journal("P-0", lines=3))     # a repeat of a key: answered from memory, not posted again
            after = metrics(c)
            status1 = c.ok("server.status")

        def delta(name, **labels):
            return after.sample(name, **labels) - before.sample(name, **labels)

        self.assertEqual(delta("whsed_postings_total", method=POST), 5)
        self.assertEqual(delta("whsed_posting_lines_total"), 15)
        self.assertEqual(delta("whsed_entries_total", kind="warehouse"),
                         status1["warehouseEntries"] - status0["warehouseEntries"])
        self.assertEqual(delta("whsed_entries_total", kind="warehouse"), 30)   # 2 warehouse entries per line
        self.assertEqual(after.sample("whsed_ledger_entries", kind="warehouse"), status1["warehouseEntries"])
        # One connection waiting for each answer: one posting per group commit.
        syncs = status1["log"]["syncs"] - status0["log"]["syncs"]
        self.assertEqual(syncs, 5)
        self.assertEqual(delta("whsed_log_syncs_total"), syncs)
        self.assertEqual(delta("whsed_log_sync_duration_seconds_count"), syncs)
        self.assertGreater(delta("whsed_log_sync_duration_seconds_sum"), 0)
        self.assertEqual(delta("whsed_group_commit_postings_count"), syncs)
        self.assertEqual(delta("whsed_group_commit_postings_sum"), 5)
        self.assertEqual(delta("whsed_group_commit_postings_bucket", le="1.0"), 5)
        self.assertGreater(delta("whsed_log_written_bytes_total"), 15 * 20)
        self.assertEqual(after.sample("whsed_log_last_sequence"), int(status1["log"]["lastSequence"]))
        # The master data postings were counted by method as well.
        self.assertEqual(after.sample("whsed_postings_total", method="bin.create"), 2)

    def test_group_commits_of_many_postings_count_each_posting_once(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            before = metrics(c)
        # 200 postings pipelined on 4 connections: the writer takes several per fdatasync.
        conns = [d.connect() for _ in range(4)]
        try:
            for k, conn in enumerate(conns):
                for i in range(50):
                    conn.send(request(POST, journal(f"G-{k}-{i}", lines=2), id=i))
            for conn in conns:
                for _ in range(50):
                    self.assertIn("result", conn.recv(timeout=30))
        finally:
            for conn in conns:
                conn.close()
        with d.connect() as c:
            after = metrics(c)
        syncs = after.sample("whsed_log_syncs_total") - before.sample("whsed_log_syncs_total")
        self.assertEqual(after.sample("whsed_postings_total", method=POST), 200)
        self.assertEqual(after.sample("whsed_posting_lines_total") - before.sample("whsed_posting_lines_total"), 400)
        self.assertEqual(after.sample("whsed_group_commit_postings_sum")
                         - before.sample("whsed_group_commit_postings_sum"), 200)
        self.assertEqual(after.sample("whsed_group_commit_postings_count")
                         - before.sample("whsed_group_commit_postings_count"), syncs)
        self.assertLessEqual(syncs, 200)

    def test_refusals_are_counted_by_reason(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            before = metrics(c)
            self.assertEqual(c.rpc("no.such.method")["error"]["data"]["reason"], "method_not_found")
            self.assertEqual(c.rpc("item.get", {"no": "ITEM1", "colour": "red"})["error"]["data"]["reason"],
                             "invalid_params")
            c.send(b'{"jsonrpc":"2.0","id":1,"method"')
            self.assertEqual(c.recv()["error"]["data"]["reason"], "parse_error")
            for i in range(3):
                r = c.rpc(POST, journal(f"NEG-{i}", lines=1, quantity=-5))
                self.assertEqual(r["error"]["data"]["reason"], "insufficient_quantity", r)
            # A batch: each refused element counts.
            c.send([request("no.such.method", id=1), request("item.get", {"no": "NOPE"}, id=2)])
            reasons = sorted(e["error"]["data"]["reason"] for e in c.recv())
            self.assertEqual(reasons, ["method_not_found", "not_found"])
            after = metrics(c)

        def delta(reason):
            return after.sample("whsed_refusals_total", reason=reason) \
                - before.sample("whsed_refusals_total", reason=reason)

        self.assertEqual(delta("method_not_found"), 2)
        self.assertEqual(delta("invalid_params"), 1)
        self.assertEqual(delta("parse_error"), 1)
        self.assertEqual(delta("insufficient_quantity"), 3)
        self.assertEqual(delta("not_found"), 1)
        self.assertEqual(delta("permission_denied"), 0)
        # Refused postings are not postings.
        self.assertEqual(after.sample("whsed_postings_total", method=POST), 0)

    def test_reads_are_counted_by_method_with_their_latency(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            c.ok(POST, journal("R-1", lines=2))
            before = metrics(c)
            for _ in range(3):
                c.ok("bin.contents", {"location": "WH1", "bin": "A-01"})
            for _ in range(2):
                c.ok("item.get", {"no": "ITEM1"})
            c.ok("entries.warehouse", {"limit": 10})          # run on the read pool
            c.ok("server.status")
            after = metrics(c)

        def delta(name, method):
            return after.sample(name, method=method) - before.sample(name, method=method)

        self.assertEqual(delta("whsed_read_duration_seconds_count", "bin.contents"), 3)
        self.assertEqual(delta("whsed_read_duration_seconds_count", "item.get"), 2)
        self.assertEqual(delta("whsed_read_duration_seconds_count", "entries.warehouse"), 1)
        self.assertEqual(delta("whsed_read_duration_seconds_count", "server.status"), 1)
        # server.metrics itself is a read: the first call was counted by the time of the second.
        self.assertGreaterEqual(after.sample("whsed_read_duration_seconds_count", method="server.metrics"), 1)
        self.assertGreater(delta("whsed_read_duration_seconds_sum", "bin.contents"), 0)
        inf = after.sample("whsed_read_duration_seconds_bucket", method="bin.contents", le="+Inf")
        self.assertEqual(inf, after.sample("whsed_read_duration_seconds_count", method="bin.contents"))
        self.assertEqual(delta("whsed_read_duration_seconds_count", "location.list"), 0)

    def test_connections_by_role(self):
        d = self.start_daemon()
        extra = [d.connect() for _ in range(3)]
        try:
            for x in extra:
                x.ok("server.status")
            with d.connect() as c:
                m = metrics(c)
                # root is admin: the 3 idle ones and this one.
                self.assertEqual(m.sample("whsed_connections", role="admin"), 4)
                self.assertEqual(m.sample("whsed_connections", role="read"), 0)
                self.assertGreaterEqual(m.sample("whsed_connections_accepted_total", role="admin"), 4)
        finally:
            for x in extra:
                x.close()
        deadline = time.monotonic() + 10
        while True:
            with d.connect() as c:
                m = metrics(c)
            if m.sample("whsed_connections", role="admin") == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(m.sample("whsed_connections", role="admin"), 1)

    def test_a_read_role_peer_is_counted_and_its_refusal_too(self):
        prefix = nobody_prefix(self)          # skips without root, nobody, setpriv or runuser
        os.chmod(self.tmp, 0o755)             # nobody must reach the socket
        python = nobody_python(self, prefix)
        d = self.start_daemon(["--socket-mode", "666"])
        client = ("import json,socket,sys\ns=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);f=s.makefile('rwb')\n"
                  "for m in sys.argv[2:]:\n"
                  "    f.write(json.dumps({'jsonrpc':'2.0','id':1,'method':m}).encode()+b'\\n');f.flush()\n"
                  "    print(f.readline().decode().strip())\n")
        r = subprocess.run(prefix + [python, "-c", client, d.socket, "server.metrics", "server.verify"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        got_metrics, refused = [json.loads(l) for l in r.stdout.splitlines()]
        # server.metrics needs only the read role; nobody's own connection is in its text.
        m = Metrics(got_metrics["result"]["text"])
        self.assertEqual(m.sample("whsed_connections", role="read"), 1)
        self.assertEqual(refused["error"]["data"]["reason"], "permission_denied")
        with d.connect() as c:
            m = metrics(c)
        self.assertEqual(m.sample("whsed_refusals_total", reason="permission_denied"), 1)
        self.assertEqual(m.sample("whsed_connections_accepted_total", role="read"), 1)

    def test_checkpoint_time_duration_and_snapshot_bytes(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            before = metrics(c)
            self.assertEqual(before.sample("whsed_last_checkpoint_timestamp_seconds"), 0)
            self.assertEqual(before.sample("whsed_snapshot_bytes"), 0)
            written = c.ok("server.checkpoint")
            self.assertTrue(written["written"])
            after = metrics(c)
        self.assertEqual(after.sample("whsed_checkpoints_total") - before.sample("whsed_checkpoints_total"), 1)
        self.assertAlmostEqual(after.sample("whsed_last_checkpoint_timestamp_seconds"), time.time(), delta=60)
        self.assertGreaterEqual(after.sample("whsed_last_checkpoint_duration_seconds"), 0)
        self.assertLess(after.sample("whsed_last_checkpoint_duration_seconds"), 60)
        self.assertEqual(after.sample("whsed_last_snapshot_payload_bytes"), written["bytes"])
        self.assertEqual(after.sample("whsed_snapshot_bytes"), written["bytes"] + 40)   # a 40-byte header
        # The daemon's stderr says so, once.
        self.assertEqual(d.log().count("snapshot written at sequence"), 1, d.log())

    def test_followers_and_their_lag(self):
        from test_follow import Follower
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            m = metrics(c)
            self.assertEqual(m.sample("whsed_followers"), 0)
            self.assertEqual(m.sample("whsed_follower_lag_records"), 0)
            f = Follower(d)
            for i in range(20):
                c.ok(POST, journal(f"follow-{i}", 2), id=i)
            last = int(m_last(c))
            f.until_seq(last)
            # Every record has been written to the follower: one follower, nothing left to send.
            deadline = time.monotonic() + 10
            while True:
                m = metrics(c)
                if m.sample("whsed_follower_lag_records") == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(m.sample("whsed_followers"), 1)
            self.assertEqual(m.sample("whsed_follower_lag_records"), 0)
            self.assertEqual(m.type_of("whsed_follower_lag_records"), "gauge")
            f.close()
            deadline = time.monotonic() + 10
            while metrics(c).sample("whsed_followers") != 0:
                self.assertLess(time.monotonic(), deadline, "a closed follower is still counted")
                time.sleep(0.05)

    def test_server_metrics_takes_no_params(self):
        d = self.start_daemon()
        with d.connect() as c:
            r = c.rpc("server.metrics", {"x": 1})
        self.assertEqual(r["error"]["data"]["reason"], "invalid_params", r)

    def test_whsectl_server_metrics_prints_the_text(self):
        whsectl = os.path.join(BIN_DIR, "whsectl")
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            c.ok(POST, journal("W-1", lines=4))
        r = subprocess.run([whsectl, "--socket", d.socket, "server", "metrics"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = Metrics(r.stdout)
        self.assertEqual(m.sample("whsed_postings_total", method=POST), 1)
        self.assertEqual(m.sample("whsed_posting_lines_total"), 4)
        self.assertTrue(r.stdout.endswith("\n") and not r.stdout.endswith("\n\n"))
        r = subprocess.run([whsectl, "--socket", d.socket, "--json", "server", "metrics"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(Metrics(json.loads(r.stdout)["text"]).sample("whsed_posting_lines_total"), 4)


if __name__ == "__main__":
    unittest.main()
