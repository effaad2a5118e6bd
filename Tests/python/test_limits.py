"""The daemon's limits at their edges; over a limit the error names it in data.limit."""

import json
import socket
import time
import unittest

from harness import (DaemonTestCase, INVALID_PARAMS, LIMIT_EXCEEDED, PARSE_ERROR, ConnectionClosed, Conn, encode,
                     bin_quantity, request, setup_master_data, warehouse_entries)


def padded_status_request(total, id=1):
    """A valid server.status request padded with trailing spaces to exactly `total` bytes."""
    base = json.dumps(request("server.status", id=id), separators=(",", ":")).encode()
    assert len(base) <= total
    return base + b" " * (total - len(base))


def nested_request(depth, id=1):
    """A request object whose JSON nesting depth is exactly `depth` (object, params object, then arrays)."""
    assert depth >= 3
    arrays = depth - 2
    inner = "[" * arrays + "]" * arrays
    return '{"jsonrpc":"2.0","id":%s,"method":"server.status","params":{"x":%s}}' % (json.dumps(id), inner)


def lines(n, bin="A-01"):
    return [{"item": "ITEM1", "bin": bin, "quantity": 1} for _ in range(n)]


class MaxLineBytes(DaemonTestCase):
    def test_line_of_exactly_the_limit_is_served_one_more_byte_is_refused(self):
        d = self.start_daemon(["--max-line-bytes", "4096"])
        with d.connect() as c:
            # Exactly 4096 bytes before the newline: a request like any other.
            line = padded_status_request(4096, id="exact")
            self.assertEqual(len(line), 4096)
            r = c.call(line)
            self.assertResult(r, id="exact", msg="a line of exactly maxLineBytes")
            self.assertEqual(r["result"]["limits"]["maxLineBytes"], 4096)
            # Garbage of exactly the limit: a parse error, not limit_exceeded.
            r = c.call(b"x" * 4096)
            self.assertError(r, PARSE_ERROR, "parse_error", id=None, msg="4096 bytes of garbage")
            # One byte more: limit_exceeded naming maxLineBytes.
            line = padded_status_request(4097, id="over")
            r = c.call(line)
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxLineBytes",
                             msg="a line of maxLineBytes+1")
            # ... and the same connection serves the next request.
            self.assertResult(c.rpc("server.status", id="next"), id="next")
            self.assertTrue(c.nothing_more(0.3), f"extra output: {c.buf!r}")

    def test_over_long_line_sent_in_pieces_is_refused_once(self):
        d = self.start_daemon(["--max-line-bytes", "4096"])
        with d.connect() as c:
            for _ in range(10):
                c.send(b"y" * 1000, newline=False)
                time.sleep(0.01)
            c.send(b"")
            r = c.recv()
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxLineBytes")
            self.assertResult(c.rpc("server.status", id=2), id=2)
            self.assertTrue(c.nothing_more(0.3), f"more than one answer to one over-long line: {c.buf!r}")


class MaxJournalLines(DaemonTestCase):
    def test_five_lines_posted_six_refused_and_nothing_posted(self):
        d = self.start_daemon(["--max-journal-lines", "5"])
        with d.connect() as c:
            setup_master_data(c)
            r = c.rpc("whseItemJournal.register", {"location": "WH1", "documentNo": "FIVE", "lines": lines(5)})
            res = self.assertResult(r, msg="5 lines with maxJournalLines 5")
            self.assertEqual(res["lines"], 5)
            self.assertEqual(bin_quantity(c), 5)
            before = warehouse_entries(c)
            r = c.rpc("whseItemJournal.register", {"location": "WH1", "documentNo": "SIX", "lines": lines(6)}, id=2)
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=2, limit="maxJournalLines",
                             msg="6 lines with maxJournalLines 5")
            self.assertEqual(bin_quantity(c), 5, "the refused journal changed the bin")
            self.assertEqual(warehouse_entries(c), before, "the refused journal left entries")
            self.assertEqual(warehouse_entries(c, documentNo="SIX"), [])
            # Also for the item journal.
            il = [{"entryType": "positiveAdjmt", "location": "WH1", "item": "ITEM1", "quantity": 1}] * 6
            r = c.rpc("itemJournal.post", {"lines": il}, id=3)
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=3, limit="maxJournalLines")
            self.assertEqual(c.ok("server.status")["itemLedgerEntries"], 0)


class MaxConnections(DaemonTestCase):
    def open_three(self):
        d = self.start_daemon(["--max-connections", "3"])
        # Wait until the readiness probe's connection is gone (the count drops when whsed sees the close).
        deadline = time.monotonic() + 5
        while True:
            with d.connect() as probe:
                n = probe.ok("server.status")["connections"]
            if n == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.1)
        conns = [d.connect() for _ in range(3)]
        for c in conns:
            self.addCleanup(c.close)
        for i, c in enumerate(conns):
            self.assertResult(c.rpc("server.status", id=i), id=i, msg=f"connection {i + 1} of 3")
        return d, conns

    def wait_count(self, conn, want, timeout=5):
        """Polls server.status on `conn` until it reports `want` connections; returns the last count."""
        deadline = time.monotonic() + timeout
        while True:
            n = conn.ok("server.status", id="count")["connections"]
            if n == want or time.monotonic() > deadline:
                return n
            time.sleep(0.05)

    def new_connection_answer(self, d, timeout=3):
        with d.connect() as c:
            try:
                return c.rpc("server.status", id="new", timeout=timeout)
            except (ConnectionClosed, socket.timeout, ConnectionResetError, BrokenPipeError) as e:
                return repr(e)

    def test_fourth_connection_gets_limit_exceeded_and_is_closed(self):
        d, conns = self.open_three()
        with d.connect() as fourth:
            try:
                r = fourth.recv(timeout=5)
            except socket.timeout:
                self.fail("the 4th connection (--max-connections 3) got no line within 5 s: whsed neither sent "
                          "limit_exceeded nor closed it")
            except ConnectionClosed:
                self.fail("the 4th connection was closed without the limit_exceeded line")
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxConnections",
                             msg="the 4th connection")
            self.assertIsNotNone(fourth.wait_eof(5), "whsed did not close the 4th connection")
        # The three are still served.
        for i, c in enumerate(conns):
            self.assertResult(c.rpc("server.status", id=10 + i), id=10 + i)

    def test_slot_freed_by_a_close_serves_a_new_connection(self):
        d, conns = self.open_three()
        # One connection too many (closed by the client after a moment, whatever whsed did with it).
        with d.connect() as fourth:
            time.sleep(0.3)
        conns[0].close()
        n = self.wait_count(conns[1], 2)
        self.assertEqual(n, 2, "after a refused 4th connection and the close of one of the 3, server.status "
                               "still counts 3 connections (only 2 are open): the refused one holds a slot")
        got = self.new_connection_answer(d)
        self.assertIsInstance(got, dict, f"after closing one of 3 connections (and a refused 4th), a new "
                                         f"connection got no answer to server.status: {got!r}")
        self.assertResult(got, id="new", msg="a new connection after one of the three closed")
        self.assertEqual(got["result"]["connections"], 3, got)

    def test_slots_freed_without_an_over_limit_attempt(self):
        d, conns = self.open_three()
        conns[0].close()
        self.assertEqual(self.wait_count(conns[1], 2), 2)
        got = self.new_connection_answer(d)
        self.assertIsInstance(got, dict, f"no answer: {got!r}")
        self.assertResult(got, id="new")


class MaxBatchRequests(DaemonTestCase):
    def test_1000_served_1001_refused(self):
        d = self.start_daemon()
        with d.connect(timeout=60) as c:
            setup_master_data(c)
            batch = [request("bin.contents", {"location": "WH1", "bin": "A-01"}, id=i) for i in range(1000)]
            r = c.call(json.dumps(batch))
            self.assertIsInstance(r, list, str(r)[:300])
            self.assertEqual(len(r), 1000)
            self.assertEqual(sorted(x["id"] for x in r), list(range(1000)))
            self.assertTrue(all("result" in x for x in r), [x for x in r if "result" not in x][:3])
            batch.append(request("bin.contents", {"location": "WH1", "bin": "A-01"}, id=1000))
            r = c.call(json.dumps(batch))
            self.assertIsInstance(r, dict, f"a 1001-request batch should get one error object, got {str(r)[:300]}")
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxBatchRequests")
            # Postings in an over-long batch are not carried out.
            big = [request("whseItemJournal.register",
                           {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]}, id=i)
                   for i in range(1001)]
            r = c.call(json.dumps(big))
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxBatchRequests")
            self.assertEqual(bin_quantity(c), 0)
            self.assertResult(c.rpc("server.status", id="after"), id="after")


class MaxJsonDepth(DaemonTestCase):
    def test_depth_64_parsed_65_refused_as_limit_exceeded(self):
        d = self.start_daemon()
        with d.connect() as c:
            # Depth 64: parsed; refused only because "x" is not a parameter of server.status (so the id is known).
            r = c.call(nested_request(64, id="d64"))
            self.assertError(r, INVALID_PARAMS, "invalid_params", id="d64", msg="a request nested 64 deep")
            # A bare 64-deep array: parsed (a batch of one non-object element).
            r = c.call("[" * 64 + "]" * 64)
            self.assertIsInstance(r, list, f"64 nested arrays should parse (as a batch), got {r!r}")
            # Depth 65: valid JSON over the limit: limit_exceeded naming maxJsonDepth (the id is not read, so null).
            r = c.call(nested_request(65, id="d65"))
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxJsonDepth", msg="a request nested 65 deep")
            r = c.call("[" * 65 + "]" * 65)
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id=None, limit="maxJsonDepth", msg="65 nested arrays")
            self.assertResult(c.rpc("server.status", id="after"), id="after")


class IdleTimeout(DaemonTestCase):
    def test_idle_connection_closed_after_about_a_second(self):
        d = self.start_daemon(["--idle-timeout", "1"])
        with d.connect() as idle, d.connect() as used:
            self.assertResult(used.rpc("server.status", id=1), id=1)
            t_idle = idle.wait_eof(8)
            t_used = used.wait_eof(8)
            self.assertIsNotNone(t_idle, "an idle connection stayed open for 8 s with --idle-timeout 1")
            self.assertGreaterEqual(t_idle, 0.7, "closed too early")
            self.assertLess(t_idle, 3.0, "closed too late")
            self.assertIsNotNone(t_used, "a connection idle after one request stayed open for 8 s")
            self.assertLess(t_used, 3.0)
        # A connection that keeps talking is not closed.
        with d.connect() as busy:
            for i in range(6):
                self.assertResult(busy.rpc("server.status", id=i), id=i)
                time.sleep(0.4)
        with d.connect() as c:
            self.assertResult(c.rpc("server.status", id="alive"), id="alive")


if __name__ == "__main__":
    unittest.main()


class MaxPipelinedRequests(DaemonTestCase):
    def test_flow_control_serves_everything_in_order(self):
        # With at most 4 requests read ahead, 2,000 pipelined requests are all answered, in order: whsed stops
        # reading from the connection instead of refusing or buffering without bound.
        d = self.start_daemon(["--max-pipelined-requests", "4"])
        with d.connect() as c:
            n = 2000
            c.sock.sendall(b"".join(encode(request("server.status", id=i)) + b"\n" for i in range(n)))
            for i in range(n):
                r = c.recv(timeout=20)
                self.assertEqual(r.get("id"), i, r)
                self.assertIn("result", r)
        d2 = self.start_daemon(["--max-pipelined-requests", "1"], subdir="one")
        with d2.connect() as c:
            c.sock.sendall(b"".join(encode(request("server.status", id=i)) + b"\n" for i in range(50)))
            self.assertEqual([c.recv(timeout=20)["id"] for _ in range(50)], list(range(50)))


class MaxOpenCountJournals(DaemonTestCase):
    def test_three_open_then_refused_then_freed(self):
        d = self.start_daemon(["--max-open-count-journals", "3"])
        with d.connect() as c:
            setup_master_data(c)
            for i in range(3):
                c.ok("whsePhysInventory.calculate", {"location": "WH1", "journal": f"J{i}"})
            r = c.rpc("whsePhysInventory.calculate", {"location": "WH1", "journal": "J3"}, id="w")
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id="w", limit="maxOpenCountJournals")
            r = c.rpc("physInventory.calculate", {"location": "WH1", "journal": "P"}, id="p")
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id="p", limit="maxOpenCountJournals")
            c.ok("whsePhysInventory.delete", {"journal": "J0"})
            c.ok("whsePhysInventory.calculate", {"location": "WH1", "journal": "J3"})
        # A lower limit after a restart does not stop the replay of journals opened under the old one.
        d.kill()
        d.start(args=["--max-open-count-journals", "1"])
        with d.connect() as c:
            self.assertEqual(len(c.ok("whsePhysInventory.list")["journals"]), 3)
            r = c.rpc("whsePhysInventory.calculate", {"location": "WH1", "journal": "J9"}, id="x")
            self.assertError(r, LIMIT_EXCEEDED, "limit_exceeded", id="x", limit="maxOpenCountJournals")
