"""protocol.md's request/answer examples against a real whsed: scripts/doc-examples replays every session of section 15
on fresh whsed processes (the binary of $WHSED_BIN_DIR) and every answer shown must have the members whsed sends.

A failure lists each answer that drifted; regenerate the answers with `scripts/doc-examples --rewrite` (and read the
diff), or add a new example to the sessions of scripts/doc-examples.
"""

import importlib.machinery
import importlib.util
import os
import shutil
import tempfile
import unittest

from harness import BIN_DIR, REPO, require_binary

SCRIPT = os.path.join(REPO, "scripts", "doc-examples")
DOC = os.path.join(REPO, "protocol.md")


def load_script():
    loader = importlib.machinery.SourceFileLoader("doc_examples", SCRIPT)
    spec = importlib.util.spec_from_loader("doc_examples", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class ProtocolExamples(unittest.TestCase):

    def setUp(self):
        self.m = load_script()
        self.tmp = tempfile.mkdtemp(prefix="whsed-py-doc-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def doc_copy(self, edit):
        with open(DOC, encoding="utf-8") as f:
            text = f.read()
        new = edit(text)
        self.assertNotEqual(new, text, "the edit changed nothing")
        path = os.path.join(self.tmp, "protocol.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        return path

    def test_every_example_answer_has_the_members_whsed_sends(self):
        require_binary()
        r = self.m.Runner(DOC, BIN_DIR)
        r.run()
        problems = r.check()
        self.assertEqual(problems, [], "protocol.md drifted from whsed (scripts/doc-examples --check):\n"
                         + "\n".join(problems) + "\nRegenerate: scripts/doc-examples --rewrite, and review the diff.")
        if os.geteuid() == 0:
            self.assertNotIn("150", r.partial, "the permission_denied example was not sent as nobody")

    def test_every_example_is_in_a_session_and_every_step_in_the_doc(self):
        r = self.m.Runner(DOC, BIN_DIR)
        self.assertEqual(r.coverage_problems(), [])
        self.assertGreater(len(r.exchanges), 200)

    def test_an_example_that_no_session_sends_is_reported(self):
        path = self.doc_copy(lambda t: t.replace(
            "## 15. Walk-through", '```\n> {"jsonrpc":"2.0","id":999,"method":"item.list"}\n< {}\n```\n\n'
            "## 15. Walk-through", 1))
        problems = self.m.Runner(path, BIN_DIR).coverage_problems()
        self.assertTrue(any("example 999 is in no session" in p for p in problems), problems)

    def test_a_member_missing_from_an_example_answer_fails_the_check_and_the_rewrite_restores_it(self):
        # Issue 12: the physInventory.* examples lacked the "expirationDate": null that whsed sends on every line.
        require_binary()
        marker = '"entryType":"positiveAdjmt","expirationDate":null,'
        path = self.doc_copy(lambda t: t.replace(marker, '"entryType":"positiveAdjmt",'))
        r = self.m.Runner(path, BIN_DIR)
        r.run()
        problems = r.check()
        self.assertTrue(any("lacks: expirationDate" in p for p in problems), problems)
        calculate = [ex for ex in r.exchanges if ex.label == "55"]
        self.assertTrue(any(f"line {calculate[0].first_line} (55)" in p for p in problems), problems)

        text, changed = r.rewritten()
        self.assertGreater(changed, 0)
        self.assertIn(marker, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        again = self.m.Runner(path, BIN_DIR)
        again.live, again.partial = r.live, r.partial
        self.assertEqual(again.check(), [])
        self.assertEqual(again.rewritten(), (text, 0), "a second rewrite changes nothing")

    def test_member_comparison(self):
        diffs = self.m.answer_diffs
        same = '{"id":1,"jsonrpc":"2.0","result":{"a":1,"b":[{"x":1},{"x":2}],"c":null}}'
        self.assertEqual(diffs(same, '{"id":1,"jsonrpc":"2.0","result":{"a":2,"b":[{"x":5},{"x":6}],"c":{"y":1}}}'),
                         [], "values and null may differ")
        self.assertTrue(diffs(same, '{"id":1,"jsonrpc":"2.0","result":{"a":1,"b":[{"x":1}],"c":null}}'),
                        "array lengths must match")
        self.assertTrue(diffs(same, '{"id":1,"jsonrpc":"2.0","result":{"a":1,"b":[{"x":1},{"x":2,"z":0}],"c":null}}'),
                        "a member of an array element must be shown")
        self.assertTrue(diffs(same, '{"id":1,"jsonrpc":"2.0","result":{"a":"1","b":[{"x":1},{"x":2}],"c":null}}'),
                        "a number is not a string")
        self.assertTrue(diffs(same, '{"id":2,"jsonrpc":"2.0","result":{"a":1,"b":[{"x":1},{"x":2}],"c":null}}'),
                        "the id must match")
        err = '{"error":{"code":1003,"data":{"reason":"insufficient_quantity"},"message":"m"},"id":1,"jsonrpc":"2.0"}'
        self.assertEqual(diffs(err, err.replace('"m"', '"other"')), [])
        self.assertTrue(diffs(err, err.replace("1003", "1005")))
        self.assertTrue(diffs(err, err.replace("insufficient_quantity", "reserved")))

    def test_backup_answers_are_shortened_as_the_doc_says(self):
        line = '{"id":84,"jsonrpc":"2.0","result":{"bytes":3,"snapshot":"' + "A" * 30 + "B" * 30 + '"}}'
        short = '{"id":84,"jsonrpc":"2.0","result":{"bytes":3,"snapshot":"' + "A" * 24 + "…" + "B" * 8 + '"}}'
        self.assertEqual(self.m.shorten_backup(line), short)


if __name__ == "__main__":
    unittest.main()
