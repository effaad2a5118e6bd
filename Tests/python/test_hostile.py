"""Hostile clients. After each, whsed still serves, server.verify answers ok=true and VmRSS (and the peak, VmHWM)
stays under 300 MB."""

import json
import os
import random
import resource
import selectors
import socket
import threading
import time
import unittest

from harness import (DaemonTestCase, LIMIT_EXCEEDED, PARSE_ERROR, RSS_LIMIT_KB, ConnectionClosed, Conn, encode,
                     padded, push, request, setup_master_data)


class HostileClients(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon(["--max-connections", "5000"])
        with self.d.connect() as c:
            setup_master_data(c)
            c.ok("whseItemJournal.register",
                 {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 7}]})

    def test_garbage_bytes(self):
        rnd = random.Random(1)
        with self.d.connect() as c:
            blob = bytes(rnd.randrange(256) for _ in range(200_000))
            c.send(blob, newline=True)
            # Then a valid request; everything before it gets error answers (or none, for blank lines).
            c.send(request("server.status", id="after-garbage"))
            answers = 0
            while True:
                r = c.recv(timeout=20)
                if r.get("id") == "after-garbage":
                    self.assertIn("result", r, r)
                    break
                answers += 1
                self.assertIn("error", r, f"garbage got a non-error answer: {r!r}")
                self.assertIn(r["error"]["code"], (PARSE_ERROR, -32600, LIMIT_EXCEEDED), r)
            self.assertGreater(answers, 0, "no error answer to 200 kB of random bytes")
        self.assertHealthy(self.d)

    def test_invalid_utf8(self):
        cases = [
            b'{"jsonrpc":"2.0","id":1,"method":"\xff\xfe"}',
            b'{"jsonrpc":"2.0","id":2,"method":"server.status","params":{"x":"\xc3\x28"}}',
            b'{"jsonrpc":"2.0","id":3,"method":"bin.contents","params":{"location":"WH1","bin":"A-\xed\xa0\x80"}}',  # surrogate
            b'{"jsonrpc":"2.0","id":4,"method":"server.status","params":{"\xc0\xaf":1}}',  # overlong
            b'{"jsonrpc":"2.0","id":5,"method":"server.status","params":{"x":"\xf8\x88\x80\x80\x80"}}',  # 5 bytes
            b'{"jsonrpc":"2.0","id":6,"method":"server.status","params":{"x":"\xe2\x82"}}',  # truncated
        ]
        with self.d.connect() as c:
            for line in cases:
                r = c.call(line)
                self.assertError(r, PARSE_ERROR, "parse_error", id=None, msg=f"invalid UTF-8 {line!r}")
            self.assertResult(c.rpc("server.status", id="ok"), id="ok")
        self.assertHealthy(self.d)

    def test_100_mb_line_without_newline(self):
        chunk = b"A" * (1 << 20)
        sent = 0
        peak = 0
        with self.d.connect(timeout=60) as c:
            for i in range(100):
                c.send(chunk, newline=False)
                sent += len(chunk)
                if i % 10 == 9:
                    peak = max(peak, self.d.rss_kb())
            # While the line is still open whsed has answered limit_exceeded exactly once.
            r = c.recv(timeout=20)
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxLineBytes",
                             msg="a 100 MB line")
            self.assertTrue(c.nothing_more(0.5), f"more than one answer to one over-long line: {c.buf[:300]!r}")
            # End the line; the connection then serves requests.
            c.send(b"")
            self.assertResult(c.rpc("server.status", id="after"), id="after")
            self.assertTrue(c.nothing_more(0.3), f"extra output: {c.buf[:300]!r}")
        self.assertEqual(sent, 100 << 20)
        self.assertLess(peak, RSS_LIMIT_KB, f"VmRSS reached {peak} kB while the line streamed")
        self.assertHealthy(self.d)

    def test_deep_nesting(self):
        with self.d.connect() as c:
            for line in [b"[" * 10_000 + b"]" * 10_000, b"{\"a\":" * 10_000 + b"1" + b"}" * 10_000,
                         b"[" * 10_000, b'{"jsonrpc":"2.0","id":1,"method":"server.status","params":' +
                         b'{"x":' + b"[" * 10_000 + b"]" * 10_000 + b"}}"]:
                r = c.call(line)
                self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxJsonDepth", msg=f"10,000-deep nesting {line[:20]!r}...")
            self.assertResult(c.rpc("server.status", id="ok"), id="ok")
        self.assertHealthy(self.d)

    def test_half_written_lines_then_disconnect(self):
        full = encode(request("whseItemJournal.register",
                              {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]}))
        for i in range(200):
            c = self.d.connect()
            cut = 1 + (i * 7919) % (len(full) - 2)   # never the whole request
            c.send(full[:cut], newline=False)
            if i % 2:
                c.sock.shutdown(socket.SHUT_WR)
            c.close()
        # Halves of a valid request then a close: nothing was posted.
        with self.d.connect() as c:
            rows = c.ok("bin.contents", {"location": "WH1", "bin": "A-01"})["rows"]
            self.assertEqual([(r["item"], r["quantity"]) for r in rows], [("ITEM1", 7)])
        # Half a line, then a complete request on the same connection: the half is part of the first line.
        with self.d.connect() as c:
            c.send(b'{"jsonrpc":"2.0","id":"half"', newline=False)
            time.sleep(0.2)
            c.send(b',"method":"server.status"}')
            self.assertResult(c.recv(), id="half")
        self.assertHealthy(self.d)

    def test_2000_connections_at_once(self):
        n = 2000
        # whsed inherits the limit it was started with; it needs an fd per connection.
        self.raise_fd_limit(n + 200)
        conns = []
        try:
            retries = 0
            t0 = time.monotonic()
            for i in range(n):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(30)
                # A non-blocking connect to a Unix socket fails with EAGAIN while the listen backlog is full:
                # retry, as a client would, until whsed has accepted the earlier ones.
                deadline = time.monotonic() + 30
                while True:
                    try:
                        s.connect(self.d.socket)
                        break
                    except BlockingIOError:
                        retries += 1
                        if time.monotonic() > deadline:
                            s.close()
                            self.fail(f"connection {i}: the listen backlog stayed full for 30 s")
                        time.sleep(0.002)
                conns.append(s)
            connect_time = time.monotonic() - t0
            for i, s in enumerate(conns):
                s.sendall(encode(request("bin.contents", {"location": "WH1", "bin": "A-01"}, id=i)) + b"\n")
            sel = selectors.DefaultSelector()
            bufs = {}
            for i, s in enumerate(conns):
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, i)
                bufs[i] = b""
            answers = {}
            deadline = time.monotonic() + 60
            while len(answers) < n and time.monotonic() < deadline:
                for key, _ in sel.select(timeout=1):
                    i = key.data
                    try:
                        chunk = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(key.fileobj)
                        answers.setdefault(i, None)
                        continue
                    bufs[i] += chunk
                    if b"\n" in bufs[i]:
                        answers[i] = bufs[i].split(b"\n", 1)[0]
                        sel.unregister(key.fileobj)
            sel.close()
            missing = [i for i in range(n) if i not in answers]
            self.assertEqual(missing[:10], [], f"{len(missing)} of {n} connections got no answer within 60 s")
            bad = []
            for i in range(n):
                line = answers[i]
                r = json.loads(line) if line else None
                if not (r and r.get("id") == i and "result" in r and r["result"]["rows"][0]["quantity"] == 7):
                    bad.append((i, line[:200] if line else line))
            self.assertEqual(bad[:5], [], f"{len(bad)} of {n} connections got a wrong answer")
            self.assertEqual(bad, [])
            print(f"\n  2000 connections: connected in {connect_time:.2f} s ({retries} EAGAIN retries)", end=" ")
        finally:
            for s in conns:
                s.close()
        self.assertHealthy(self.d)

    def test_slow_reader_does_not_make_whsed_buffer_without_bound(self):
        total = 20_000
        line = encode(request("server.status", id=0)) + b"\n"
        slow = self.d.connect()
        self.addCleanup(slow.close)
        sent = [0]
        error = []

        def writer():
            try:
                slow.sock.settimeout(None)
                for i in range(total):
                    slow.sock.sendall(encode(request("server.status", id=i)) + b"\n")
                    sent[0] = i + 1
            except OSError as e:
                error.append(e)

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        # Meanwhile another client is served promptly.
        worst = 0.0
        with self.d.connect() as other:
            for i in range(20):
                t0 = time.monotonic()
                self.assertResult(other.rpc("server.status", id=i, timeout=5), id=i)
                worst = max(worst, time.monotonic() - t0)
                time.sleep(0.1)
        rss = self.d.rss_kb()
        # The writer is stuck: whsed stopped reading from the slow connection.
        t.join(1.0)
        self.assertEqual(error, [], f"the slow connection broke: {error!r}")
        self.assertTrue(t.is_alive(), f"all {total} requests ({total * len(line)} bytes) were accepted while "
                                      f"no response was read: whsed did not stop reading")
        stuck_at = sent[0]
        time.sleep(1.0)
        self.assertEqual(sent[0], stuck_at, "the slow connection kept being read")
        self.assertLess(stuck_at, total)
        print(f"\n  slow reader: whsed stopped reading after {stuck_at} of {total} requests; "
              f"worst latency for another client {worst * 1000:.0f} ms; VmRSS {rss} kB", end=" ")
        self.assertLess(worst, 2.0, f"another client waited {worst:.2f} s for an answer")
        self.assertLess(rss, RSS_LIMIT_KB)
        self.assertHealthy(self.d)
        # Once the slow reader reads, every request is answered, in order.
        slow.sock.settimeout(60)
        for i in range(total):
            r = slow.recv(timeout=60)
            if r.get("id") != i or "result" not in r:
                self.fail(f"response {i} of the slow reader: {str(r)[:300]}")
        t.join(30)
        self.assertFalse(t.is_alive())
        self.assertEqual(sent[0], total)
        self.assertHealthy(self.d)

    # Budgets in bytes (protocol.md 2.3, 9), at their defaults.

    def raise_fd_limit(self, need):
        """Raises this process's open-file limit to `need`; restarts whsed if it inherited a lower one."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < need:
            if hard != resource.RLIM_INFINITY and hard < need:
                self.skipTest(f"RLIMIT_NOFILE hard limit {hard} < {need}")
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        with open(f"/proc/{self.d.pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    daemon_soft = int(line.split()[3])
        if daemon_soft < need:
            self.d.kill()
            self.d = self.start_daemon(["--max-connections", "5000"], subdir="big")
            with self.d.connect() as c:
                setup_master_data(c)

    def post_entries(self, n):
        with self.d.connect() as c:
            c.ok("whseItemJournal.register",
                 {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}] * n}, timeout=60)

    def test_never_reading_pipeliners_stay_within_the_connection_budget(self):
        # Seven clients pipeline requests padded to 4 MiB, each answered with a page of 1,000 entries, and never
        # read. Before the byte budgets each such client pinned up to 256 lines (1 GiB) and seven crashed whsed.
        self.post_entries(1000)
        data = padded(request("entries.warehouse", {"limit": 1000}, id=0), 4 << 20) * 16
        clients = [self.d.connect(timeout=30) for _ in range(7)]
        for c in clients:
            self.addCleanup(c.close)
        sent = [push(c.sock, data) for c in clients]
        with self.d.connect() as other:
            status = other.ok("server.status", id="other", timeout=5)
            self.assertEqual(other.ok("bin.contents", {"location": "WH1", "bin": "A-01"})["rows"][0]["quantity"],
                             1007)
        rss = self.d.rss_kb()
        print(f"\n  7 never-reading pipeliners: {sum(sent) >> 20} of {7 * len(data) >> 20} MiB taken, whsed holds "
              f"{status['bufferedBytes'] >> 20} MiB, VmRSS {rss} kB", end=" ")
        budget = status["limits"]["maxConnectionBufferBytes"]
        for s in sent:
            self.assertLess(s, budget + (8 << 20), f"whsed took {s} bytes from a client that reads nothing")
        self.assertLess(status["bufferedBytes"], 7 * (budget + (1 << 20)))
        self.assertHealthy(self.d)

    def test_1000_connections_holding_partial_lines_stay_within_the_total_budget(self):
        # Each offers a 4 MiB line without its newline: 4 GB in all, which whsed once held.
        n = 1000
        self.raise_fd_limit(n + 200)
        rss0 = self.d.rss_kb()
        head = b'{"jsonrpc":"2.0","id":"late","method":"server.status"}'
        body = head + b" " * ((4 << 20) - 1 - len(head))
        conns = []
        try:
            for _ in range(n):
                conns.append(connect_retrying(self.d))
            offered = [push(c.sock, body, idle=0.01, limit=2) for c in conns]
            offered = [o + push(c.sock, body[o:], idle=0.01, limit=2) for o, c in zip(offered, conns)]
            with self.d.connect() as fresh:
                t0 = time.monotonic()
                status = fresh.ok("server.status", id="fresh", timeout=10)
                waited = time.monotonic() - t0
            rss = self.d.rss_kb()
            print(f"\n  {n} partial lines: {sum(offered) >> 20} MiB taken, whsed holds {status['bufferedBytes'] >> 20} "
                  f"MiB, VmRSS {rss0} -> {rss} kB", end=" ")
            self.assertLess(waited, 5.0)
            total = status["limits"]["maxTotalBufferBytes"]
            # Each connection may hold 64 KiB whatever the total, and takes one more read (4 x 64 KiB) as it pauses.
            self.assertLess(status["bufferedBytes"], total + n * (384 << 10))
            self.assertLess(rss, 1 << 20, f"VmRSS {rss} kB: over 1 GB")
            # Most go away; one finishes its line and is answered.
            for c in conns[1:]:
                c.close()
            first = conns[0]
            first.sock.setblocking(True)
            first.sock.settimeout(30)
            first.sock.sendall(body[offered[0]:] + b"\n")
            self.assertResult(first.recv(timeout=30), id="late")
        finally:
            for c in conns:
                c.close()
        self.assertHealthy(self.d, rss_limit_kb=1 << 20)
        # The freed buffers go back to the kernel (a trim after large frees, and their own mappings): RSS falls back
        # near where it started instead of staying at its peak.
        deadline = time.monotonic() + 15
        while self.d.rss_kb() > rss0 + (100 << 10) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertLess(self.d.rss_kb(), rss0 + (100 << 10), f"VmRSS stayed at {self.d.rss_kb()} kB (from {rss0} kB)")

    def test_batch_of_1000_entry_pages_is_cut_at_max_reply_bytes(self):
        # Today's default limit, 64 MiB; the same batch once produced one reply line of 374 MB.
        self.post_entries(1000)
        batch = [request("entries.warehouse", {"limit": 1000}, id=i) for i in range(1000)]
        with self.d.connect(timeout=120) as c:
            status = c.ok("server.status", id="s")
            limit = status["limits"]["maxReplyBytes"]
            c.send(batch)
            line = read_long_line(c.sock, timeout=120)
            replies = json.loads(line)
        served = [r for r in replies if "result" in r]
        refused = [r for r in replies if "error" in r]
        print(f"\n  1,000 entry pages: {len(served)} served, {len(refused)} refused, {len(line) >> 20} MiB", end=" ")
        self.assertEqual([r["id"] for r in replies], list(range(1000)))
        self.assertTrue(served and refused)
        self.assertLessEqual(len(json.dumps(served, separators=(",", ":"))), limit)
        for r in refused:
            self.assertEqual(r["error"]["data"]["limit"], "maxReplyBytes")
        self.assertHealthy(self.d)


def connect_retrying(daemon, timeout=30):
    """A connection, retried while the listen backlog is full (EAGAIN) until whsed accepts the earlier ones."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return daemon.connect(timeout=timeout)
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.002)




def read_long_line(sock, timeout):
    """One reply line of any length (chunks joined once, not appended to a growing bytes object)."""
    sock.settimeout(timeout)
    chunks = []
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise ConnectionClosed("EOF before the end of the line")
        chunks.append(chunk)
        if b"\n" in chunk:
            return b"".join(chunks).split(b"\n", 1)[0]


if __name__ == "__main__":
    unittest.main()
