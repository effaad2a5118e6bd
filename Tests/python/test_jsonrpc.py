"""JSON-RPC 2.0 conformance: the examples of the specification's section 7, adapted to whsed's methods.

https://www.jsonrpc.org/specification#examples -- "subtract" becomes bin.contents / server.status, and since whsed
reads one JSON text per line every example is sent compact, on one line.
"""

import json
import unittest

from harness import (DaemonTestCase, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
                     setup_master_data)


class JSONRPCConformance(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.c = self.d.connect()
        self.addCleanup(self.c.close)
        setup_master_data(self.c)
        # Something to read back: +5 in A-01.
        self.c.ok("whseItemJournal.register",
                  {"location": "WH1", "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 5}]})

    def assertOnlyResponseIs(self, id):
        """The next line answers the request `id`, and nothing else is pending (no response to a notification)."""
        r = self.c.recv()
        self.assertEqual(r.get("id"), id, f"expected the response to request {id!r} first, got {r!r}")
        self.assertIn("result", r, r)
        self.assertTrue(self.c.nothing_more(0.3), f"an unexpected extra line: {self.c.buf!r}")
        return r

    # rpc call with positional parameters -- whsed takes named params only: refused with -32602.
    def test_positional_params_are_refused_with_invalid_params(self):
        r = self.c.call('{"jsonrpc":"2.0","method":"bin.contents","params":["WH1","A-01"],"id":1}')
        self.assertError(r, INVALID_PARAMS, "invalid_params", id=1)
        r = self.c.call('{"jsonrpc":"2.0","method":"server.status","params":[42,23],"id":2}')
        self.assertError(r, INVALID_PARAMS, "invalid_params", id=2)

    # rpc call with named parameters (both member orders, as in the spec).
    def test_named_params(self):
        r = self.c.call('{"jsonrpc":"2.0","method":"bin.contents","params":{"location":"WH1","bin":"A-01"},"id":3}')
        res = self.assertResult(r, id=3)
        self.assertEqual([(x["item"], x["quantity"]) for x in res["rows"]], [("ITEM1", 5)])
        r = self.c.call('{"jsonrpc":"2.0","method":"bin.contents","params":{"bin":"A-01","location":"WH1"},"id":4}')
        res = self.assertResult(r, id=4)
        self.assertEqual([(x["item"], x["quantity"]) for x in res["rows"]], [("ITEM1", 5)])
        # A string id is echoed as is.
        r = self.c.call('{"jsonrpc":"2.0","method":"server.status","id":"abc"}')
        self.assertEqual(self.assertResult(r, id="abc")["locations"], 1)

    # a Notification: no response, whatever the outcome.
    def test_notifications_get_no_response(self):
        self.c.send('{"jsonrpc":"2.0","method":"update","params":[1,2,3,4,5]}')   # unknown method, positional
        self.c.send('{"jsonrpc":"2.0","method":"foobar"}')                          # unknown method
        self.c.send('{"jsonrpc":"2.0","method":"server.status"}')                   # a valid one
        self.c.send('{"jsonrpc":"2.0","method":"bin.contents","params":{"location":"WH1","bin":"A-01"}}')
        self.c.send('{"jsonrpc":"2.0","id":10,"method":"server.status"}')
        self.assertOnlyResponseIs(10)

    # rpc call of non-existent method
    def test_method_not_found(self):
        r = self.c.call('{"jsonrpc":"2.0","method":"foobar","id":"1"}')
        self.assertError(r, METHOD_NOT_FOUND, "method_not_found", id="1")

    # rpc call with invalid JSON
    def test_invalid_json_is_parse_error_with_null_id(self):
        r = self.c.call('{"jsonrpc":"2.0","method":"foobar, "params":"bar","baz]')
        self.assertError(r, PARSE_ERROR, "parse_error", id=None)
        # The connection still serves.
        self.assertResult(self.c.rpc("server.status", id=2), id=2)

    # rpc call with invalid Request object
    def test_invalid_request_object(self):
        r = self.c.call('{"jsonrpc":"2.0","method":1,"params":"bar"}')
        self.assertError(r, INVALID_REQUEST, "invalid_request", id=None)
        r = self.c.call('{"jsonrpc":"1.0","method":"server.status","id":7}')
        self.assertError(r, INVALID_REQUEST, "invalid_request", id=7)
        r = self.c.call('{"method":"server.status","id":8}')
        self.assertError(r, INVALID_REQUEST, "invalid_request", id=8)

    # rpc call Batch, invalid JSON: a single parse error, not an array.
    def test_batch_with_invalid_json(self):
        r = self.c.call('[{"jsonrpc":"2.0","method":"server.status","id":"1"},{"jsonrpc":"2.0","method"]')
        self.assertIsInstance(r, dict, f"expected a single error object, got {r!r}")
        self.assertError(r, PARSE_ERROR, "parse_error", id=None)
        self.assertTrue(self.c.nothing_more(0.3), f"an unexpected extra line: {self.c.buf!r}")

    # rpc call with an empty Array: a single invalid-request error.
    def test_empty_batch(self):
        r = self.c.call("[]")
        self.assertIsInstance(r, dict, f"expected a single error object, got {r!r}")
        self.assertError(r, INVALID_REQUEST, "invalid_request", id=None)
        self.assertTrue(self.c.nothing_more(0.3), f"an unexpected extra line: {self.c.buf!r}")

    # rpc call with an invalid Batch (but not empty)
    def test_batch_of_one_invalid_element(self):
        r = self.c.call("[1]")
        self.assertIsInstance(r, list, f"expected an array of one error, got {r!r}")
        self.assertEqual(len(r), 1, r)
        self.assertError(r[0], INVALID_REQUEST, "invalid_request", id=None)

    # rpc call with invalid Batch
    def test_batch_of_three_invalid_elements(self):
        r = self.c.call("[1,2,3]")
        self.assertIsInstance(r, list, f"expected an array of three errors, got {r!r}")
        self.assertEqual(len(r), 3, r)
        for e in r:
            self.assertError(e, INVALID_REQUEST, "invalid_request", id=None)

    # rpc call Batch: responses matched by id, notifications absent.
    def test_mixed_batch(self):
        batch = [
            {"jsonrpc": "2.0", "method": "server.status", "id": "1"},
            {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
            {"jsonrpc": "2.0", "method": "bin.contents", "params": {"location": "WH1", "bin": "A-01"}, "id": "2"},
            {"foo": "boo"},
            {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
            {"jsonrpc": "2.0", "method": "location.list", "id": "9"},
        ]
        r = self.c.call(json.dumps(batch))
        self.assertIsInstance(r, list, r)
        self.assertEqual(len(r), 5, f"5 responses expected (the notification gets none): {r!r}")
        by_id = {}
        nulls = []
        for x in r:
            self.assertIn("id", x, x)
            if x["id"] is None:
                nulls.append(x)
            else:
                self.assertNotIn(x["id"], by_id, f"duplicate id: {r!r}")
                by_id[x["id"]] = x
        self.assertEqual(sorted(by_id), ["1", "2", "5", "9"], r)
        self.assertEqual(len(nulls), 1, r)
        self.assertEqual(self.assertResult(by_id["1"])["locations"], 1)
        rows = self.assertResult(by_id["2"])["rows"]
        self.assertEqual([(x["bin"], x["quantity"]) for x in rows], [("A-01", 5)])
        self.assertError(nulls[0], INVALID_REQUEST, "invalid_request")
        self.assertError(by_id["5"], METHOD_NOT_FOUND, "method_not_found")
        self.assertEqual([l["code"] for l in self.assertResult(by_id["9"])["locations"]], ["WH1"])

    # rpc call Batch (all notifications): nothing is returned.
    def test_all_notification_batch(self):
        self.c.send('[{"jsonrpc":"2.0","method":"notify_sum","params":[1,2,4]},'
                    '{"jsonrpc":"2.0","method":"notify_hello","params":[7]},'
                    '{"jsonrpc":"2.0","method":"server.status"}]')
        self.c.send('{"jsonrpc":"2.0","id":"after","method":"server.status"}')
        self.assertOnlyResponseIs("after")

    # A notification of a posting is carried out (it is a request without a reply), then visible.
    def test_posting_notification_posts_without_reply(self):
        self.c.send('{"jsonrpc":"2.0","method":"whseItemJournal.register","params":'
                    '{"location":"WH1","lines":[{"item":"ITEM1","bin":"B-02","quantity":2}]}}')
        self.c.send('{"jsonrpc":"2.0","id":"q","method":"bin.contents","params":{"location":"WH1","bin":"B-02"}}')
        r = self.assertOnlyResponseIs("q")
        self.assertEqual([(x["bin"], x["quantity"]) for x in r["result"]["rows"]], [("B-02", 2)])


if __name__ == "__main__":
    unittest.main()
