"""clients/python/whsed_client.py against a real whsed: typed errors, exact quantities, idempotency keys, and retries
that never post twice (across a SIGKILL and restart, and with the answer lost in flight)."""

import os
import re
import sys
import threading
import time
import unittest
from decimal import Decimal

from harness import REPO, DaemonTestCase, bin_quantity, setup_master_data, warehouse_entries

sys.path.insert(0, os.path.join(REPO, "clients", "python"))
import whsed_client  # noqa: E402
from whsed_client import Client, WhseConnectionError, WhseError  # noqa: E402


def line(quantity, bin="A-01"):
    return {"item": "ITEM1", "bin": bin, "quantity": quantity}


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.errors = []

    def __call__(self, attempt, error):
        with self.lock:
            self.errors.append(error)

    def count(self, kind=None):
        with self.lock:
            return sum(1 for e in self.errors
                       if kind is None or getattr(e, "kind", None) == kind)


class PythonClientTest(DaemonTestCase):
    def daemon(self, env=None):
        d = self.start_daemon(env=env)
        with d.connect() as c:
            setup_master_data(c)
        return d

    def test_typed_results_errors_and_exact_quantities(self):
        d = self.daemon()
        with Client(d.socket, timeout=20) as whse:
            r = whse.whse_item_journal_register("WH1", [line(Decimal("2.5"))], document_no="R-1")
            self.assertEqual((r["registerNo"], r["lines"]), (1, 1))
            self.assertNotIn("replayed", r)
            rows = whse.call("bin.contents", {"location": "WH1", "bin": "A-01"})["rows"]
            self.assertEqual(rows[0]["quantity"], Decimal("2.5"))
            self.assertIsInstance(rows[0]["quantity"], Decimal)

            with self.assertRaises(WhseError) as refused:
                whse.whse_item_journal_register("WH1", [line(-500)])
            e = refused.exception
            self.assertEqual((e.code, e.reason), (1003, "insufficient_quantity"))
            self.assertEqual((e.data["bin"], e.data["available"], e.data["requested"]), ("A-01", Decimal("2.5"), 500))
            self.assertEqual(e.data["reason"], "insufficient_quantity")
            self.assertTrue(e.message)

            with self.assertRaises(WhseError) as unknown:
                whse.call("bin.teleport", {"bin": "A-01"})
            self.assertEqual((unknown.exception.code, unknown.exception.reason), (-32601, "method_not_found"))
            with self.assertRaises(WhseError) as bad:
                whse.call("bin.contents", {"location": "WH1", "bin": "A-01", "colour": "red"})
            self.assertEqual((bad.exception.code, bad.exception.reason), (-32602, "invalid_params"))
            # A float would lose digits on the way: refused before anything is sent.
            with self.assertRaises(TypeError):
                whse.whse_item_journal_register("WH1", [line(0.1)])
            # The refusals changed nothing, and the connection still serves.
            with d.connect() as c:
                self.assertEqual(bin_quantity(c), Decimal("2.5"))
            self.assertIn("log", whse.call("server.status"))

    def test_exact_numbers_on_the_wire(self):
        self.assertEqual(whsed_client.dumps({"q": Decimal("0.00001"), "n": 3, "s": "ä\n", "l": [None, True]}),
                         '{"q":0.00001,"n":3,"s":"ä\\n","l":[null,true]}')
        self.assertEqual(whsed_client.dumps(Decimal("1E+3")), "1000")
        self.assertEqual(whsed_client.loads('{"q":17.50}')["q"], Decimal("17.50"))
        with self.assertRaises(ValueError):
            whsed_client.dumps(Decimal("NaN"))

    def test_one_key_posts_once_and_other_params_under_it_conflict(self):
        d = self.daemon()
        with Client(d.socket, timeout=20) as whse:
            key = whse.new_idempotency_key("py-")
            self.assertTrue(key.startswith("py-") and len(key) == 35)
            first = whse.whse_item_journal_register("WH1", [line(3)], document_no="R-3", idempotency_key=key)
            again = whse.whse_item_journal_register("WH1", [line(3)], document_no="R-3", idempotency_key=key)
            self.assertIs(again.get("replayed"), True)
            self.assertEqual({k: v for k, v in again.items() if k != "replayed"}, first)
            # A key written into the params is the posting's key too.
            params = {"location": "WH1", "documentNo": "R-3", "lines": [line(3)], "idempotencyKey": key}
            self.assertIs(whse.post("whseItemJournal.register", params).get("replayed"), True)
            with self.assertRaises(ValueError):
                whse.post("whseItemJournal.register", params, idempotency_key="another")
            with self.assertRaises(WhseError) as conflict:
                whse.whse_item_journal_register("WH1", [line(4)], document_no="R-3", idempotency_key=key)
            self.assertEqual((conflict.exception.code, conflict.exception.reason), (2002, "idempotency_conflict"))
            self.assertEqual(conflict.exception.data["idempotencyKey"], key)
            # Without a key of the caller's, every post is a new posting with a fresh key.
            whse.whse_item_journal_register("WH1", [line(3)])
            whse.whse_item_journal_register("WH1", [line(3)])
            with d.connect() as c:
                self.assertEqual(bin_quantity(c), 9)
            with self.assertRaises(ValueError):
                whse.post("bin.contents", {"location": "WH1", "bin": "A-01"})

    def test_no_daemon_is_a_connection_error_after_the_retries(self):
        retried = Counter()
        whse = Client(os.path.join(self.tmp, "nothing.sock"), retries=3, delay=0.01, on_retry=retried)
        with self.assertRaises(WhseConnectionError) as failed:
            whse.call("server.status")
        self.assertEqual(failed.exception.kind, WhseConnectionError.CANNOT_CONNECT)
        self.assertFalse(failed.exception.request_sent)
        self.assertEqual(retried.count(), 3)
        with self.assertRaises(WhseConnectionError) as bad_path:
            Client("/tmp/" + "x" * 200, retries=3).call("server.status")
        self.assertEqual(bad_path.exception.kind, WhseConnectionError.BAD_SOCKET_PATH)

    def test_retry_across_sigkill_and_restart_returns_the_original_result(self):
        d = self.daemon()
        key = "delivery-4711"
        with Client(d.socket, timeout=20) as whse:
            original = whse.whse_item_journal_register("WH1", [line(5)], document_no="R-5", idempotency_key=key)
            d.kill()
            retried = Counter()
            patient = Client(d.socket, timeout=20, retries=200, delay=0.05, max_delay=0.2, on_retry=retried)

            def restart():
                while retried.count() < 2:
                    time.sleep(0.01)
                d.start()
            restarter = threading.Thread(target=restart)
            restarter.start()
            try:
                answer = patient.whse_item_journal_register("WH1", [line(5)], document_no="R-5", idempotency_key=key)
            finally:
                restarter.join()
            self.assertGreaterEqual(retried.count(WhseConnectionError.CANNOT_CONNECT), 2)
            self.assertIs(answer.get("replayed"), True)
            self.assertEqual({k: v for k, v in answer.items() if k != "replayed"}, original)
            # The first client's connection died with the daemon: it reconnects by itself.
            rows = whse.call("bin.contents", {"location": "WH1", "bin": "A-01"})["rows"]
            self.assertEqual(rows[0]["quantity"], 5)

    def held_daemon(self):
        so = self.build_shim("holdsync.c")
        flag = os.path.join(self.tmp, "hold")
        waiting = os.path.join(self.tmp, "waiting")
        d = self.daemon(env={"LD_PRELOAD": so, "HOLDSYNC_FLAG": flag, "HOLDSYNC_WAITING": waiting})
        return d, flag, waiting

    def lose_the_answer(self, d, flag, waiting, call):
        """Runs `call` in a thread while whsed holds the posting's fdatasync, SIGKILLs whsed and restarts it (without
        the shim's flag); returns what the call returned or raised."""
        open(flag, "w").close()
        outcome = {}

        def run():
            try:
                outcome["result"] = call()
            except Exception as e:  # the test inspects it
                outcome["error"] = e
        t = threading.Thread(target=run)
        t.start()
        deadline = time.monotonic() + 20
        while not os.path.exists(waiting):
            self.assertLess(time.monotonic(), deadline, "the posting's sync never began")
            time.sleep(0.01)
        d.kill()
        os.unlink(flag)
        d.start()
        t.join(60)
        self.assertFalse(t.is_alive(), "the call did not return after the restart")
        return outcome

    def test_posting_whose_answer_is_lost_is_retried_with_its_key_and_posted_once(self):
        d, flag, waiting = self.held_daemon()
        retried = Counter()
        whse = Client(d.socket, timeout=20, retries=200, delay=0.05, max_delay=0.2, on_retry=retried)
        key = whse.new_idempotency_key()
        outcome = self.lose_the_answer(d, flag, waiting, lambda: whse.whse_item_journal_register(
            "WH1", [line(7)], document_no="R-7", idempotency_key=key))
        self.assertNotIn("error", outcome)
        self.assertGreaterEqual(retried.count(WhseConnectionError.CONNECTION_LOST), 1)
        # whsed had written the posting before the kill and recovered it: the retry gets it, replayed.
        self.assertIs(outcome["result"].get("replayed"), True)
        self.assertEqual(outcome["result"]["registerNo"], 1)
        with d.connect() as c:
            self.assertEqual(len(warehouse_entries(c, documentNo="R-7")), 2)
            self.assertEqual(bin_quantity(c), 7)

    def test_posting_without_a_key_is_not_sent_again_after_its_answer_is_lost(self):
        d, flag, waiting = self.held_daemon()
        retried = Counter()
        whse = Client(d.socket, timeout=20, retries=200, delay=0.05, max_delay=0.2, on_retry=retried)
        params = {"location": "WH1", "documentNo": "R-8", "lines": [line(8)]}
        outcome = self.lose_the_answer(d, flag, waiting, lambda: whse.call("whseItemJournal.register", params))
        e = outcome.get("error")
        self.assertIsInstance(e, WhseConnectionError, outcome)
        self.assertEqual(e.kind, WhseConnectionError.CONNECTION_LOST)
        self.assertTrue(e.request_sent)
        self.assertEqual(retried.count(), 0)
        # The posting was done once (recovered from the log); a blind resend would have made it twice.
        with d.connect() as c:
            self.assertEqual(len(warehouse_entries(c, documentNo="R-8")), 2)
            self.assertEqual(bin_quantity(c), 8)

    def test_readme_example(self):
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        start = readme.index("```python\nfrom decimal import Decimal\nfrom whsed_client import")
        code = readme[start + len("```python\n"):readme.index("```", start + 3)]
        self.assertIn("/run/whsed/whsed.sock", code)
        d = self.daemon()
        code = code.replace("/run/whsed/whsed.sock", d.socket)
        printed = []
        for _ in range(2):
            exec(compile(code, "README.md", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
        # A fresh key on each run: the second run is a second posting.
        self.assertEqual([printed[0], printed[2]], ["register 1 ", "register 2 "])
        self.assertIn("'inBins': Decimal('2.5')", printed[1])
        self.assertIn("'inBins': 5", printed[3])

    def test_method_lists_match_protocol_md(self):
        with open(os.path.join(REPO, "protocol.md"), encoding="utf-8") as f:
            text = f.read()
        section = text[text.index("## 12. Method catalogue"):text.index("## 13. Methods")]
        posting, reading = set(), set()
        for m in re.finditer(r"^\| `([A-Za-z.]+)` \| (\w+) \| (yes)? *\|", section, re.M):
            (posting if m.group(3) else reading).add(m.group(1))
        self.assertGreater(len(posting), 20)
        self.assertEqual(set(whsed_client.POSTING_METHODS), posting)
        self.assertEqual(set(whsed_client.READ_METHODS) | set(whsed_client.STREAM_METHODS), reading)
        with whsed_client.Client("/nonexistent.sock") as c:
            with self.assertRaises(ValueError):
                c.call("entries.follow", {"afterSeq": 0})


if __name__ == "__main__":
    unittest.main()
