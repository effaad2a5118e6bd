"""whsed's log lines without systemd: one readable line per message on stderr (`whsed: LEVEL: MESSAGE k=v …`), the
debug line per posting with --log-level debug, and JOURNAL_STREAM honoured only when it names stderr itself. The
journal records under systemd (MESSAGE_ID, PRIORITY, METHOD, USER) are checked by
Tests/system/nspawn-socket-activation.sh.
"""

import os
import re
import subprocess
import unittest

from harness import WHSED, DaemonTestCase, setup_master_data

POST = "whseItemJournal.register"


def journal(key):
    return {"location": "WH1", "documentNo": key, "idempotencyKey": key,
            "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": 1}]}


class LogLines(DaemonTestCase):
    def test_stderr_lines_are_level_message_and_sorted_fields(self):
        d = self.start_daemon()
        with d.connect() as c:
            c.ok("server.status")
        d.terminate()
        lines = d.log().splitlines()
        self.assertIn(f"whsed: info: serving on {d.socket} mode=660 socket={d.socket}", lines)
        self.assertIn("whsed: info: recovered 0 records records=0", lines)
        self.assertIn("whsed: info: stopped", lines)
        for line in lines:
            self.assertRegex(line, r"^whsed: (debug|info|notice|warning|error|critical): ", line)
            self.assertNotIn("MESSAGE_ID", line)

    def test_a_snapshot_is_logged_with_its_size(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            r = c.ok("server.checkpoint")
        lines = [l for l in d.log().splitlines() if "snapshot written" in l]
        self.assertEqual(len(lines), 1, d.log())
        self.assertRegex(lines[0], rf"^whsed: info: snapshot written at sequence {r['sequence']}: {r['bytes']} bytes "
                                   rf"in \d+ ms bytes={r['bytes']} milliseconds=\d+ sequence={r['sequence']}$")

    def test_debug_level_logs_each_posting_with_method_user_and_register_no(self):
        d = self.start_daemon(["--log-level", "debug"])
        with d.connect() as c:
            setup_master_data(c)
            first = c.ok(POST, journal("D-1"))
            second = c.ok(POST, journal("D-2"))
            c.ok(POST, journal("D-1"))     # a repeat is not posted again: no line
        user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        posted = [l for l in d.log().splitlines() if l.startswith(f"whsed: debug: posted {POST} ")]
        self.assertEqual(posted, [
            f"whsed: debug: posted {POST} method={POST} registerNo={first['registerNo']} user={user}",
            f"whsed: debug: posted {POST} method={POST} registerNo={second['registerNo']} user={user}",
        ])
        self.assertIn(f"whsed: debug: posted item.create method=item.create user={user}", d.log())

    def test_info_level_has_no_posting_lines(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
            c.ok(POST, journal("I-1"))
        self.assertNotIn("posted", d.log())

    def test_a_bad_log_level_is_refused(self):
        r = subprocess.run([WHSED, "--log-level", "loud", "--state-dir", os.path.join(self.tmp, "s"),
                            "--socket", os.path.join(self.tmp, "s.sock")], capture_output=True, text=True,
                           timeout=30, env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
        self.assertEqual(r.returncode, 64, r)
        self.assertIn("--log-level must be debug, info, notice, warning or error", r.stderr)

    def test_journal_stream_naming_another_file_keeps_lines_on_stderr(self):
        # An inherited JOURNAL_STREAM that does not name stderr (device:inode) is not the journal.
        st = os.stat(os.devnull)
        d = self.start_daemon(env={"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
        self.assertTrue(re.search(r"^whsed: info: serving on ", d.log(), re.M), d.log())


if __name__ == "__main__":
    unittest.main()
