"""Access control by peer credentials: `nobody` reads by default, posts only when the access file allows it.

Needs root and setpriv (or runuser). whsed is started with --socket-mode 666 so that nobody can connect at all.
"""

import json
import os
import pwd
import grp
import subprocess
import sys
import unittest

from harness import (DaemonTestCase, PERMISSION_DENIED, bin_quantity, posting, setup_master_data,
                     warehouse_entries, which)

CLIENT = r'''
import json, socket, sys
path, lines = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(path)
f = s.makefile("rwb")
for line in lines:
    f.write(line.encode() + b"\n")
    f.flush()
    sys.stdout.write(f.readline().decode())
sys.stdout.flush()
'''


class AccessControl(DaemonTestCase):

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("needs root (to run a client as nobody)")
        try:
            pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("there is no user nobody")
        group = "nogroup"
        try:
            grp.getgrnam(group)
        except KeyError:
            group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        setpriv, runuser = which("setpriv"), which("runuser")
        if setpriv:
            self.as_nobody = [setpriv, "--reuid=nobody", f"--regid={group}", "--clear-groups"]
        elif runuser:
            self.as_nobody = [runuser, "-u", "nobody", "--"]
        else:
            self.skipTest("neither setpriv nor runuser is installed")
        # nobody must reach the client script and the socket.
        os.chmod(self.tmp, 0o755)
        self.client = os.path.join(self.tmp, "client.py")
        with open(self.client, "w") as f:
            f.write(CLIENT)
        os.chmod(self.client, 0o644)
        # A Python interpreter nobody may run (the test's own may live under /root).
        self.python = None
        for py in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3", which("python3")):
            if py and subprocess.run(self.as_nobody + [py, "-c", "import json, socket"],
                                     capture_output=True).returncode == 0:
                self.python = py
                break
        if not self.python:
            self.skipTest("no Python interpreter that the user nobody can run")

    def as_nobody_call(self, daemon, *requests):
        lines = [json.dumps(r) for r in requests]
        r = subprocess.run(self.as_nobody + [self.python, self.client, daemon.socket] + lines,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"client as nobody failed: {r.stderr}")
        out = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual(len(out), len(requests), r.stdout)
        return out

    def test_nobody_reads_but_may_not_post_by_default_and_posts_when_allowed(self):
        d = self.start_daemon(["--socket-mode", "666"])
        self.assertEqual(os.stat(d.socket).st_mode & 0o777, 0o666)
        with d.connect() as c:
            setup_master_data(c)
        post = {"jsonrpc": "2.0", "id": "post", "method": "whseItemJournal.register",
                "params": posting("NOBODY-1", 2)}
        status, denied, whoami = self.as_nobody_call(
            d, {"jsonrpc": "2.0", "id": "st", "method": "server.status"}, post,
            {"jsonrpc": "2.0", "id": "admin", "method": "location.create", "params": {"code": "WH9"}})
        self.assertEqual(self.assertResult(status, id="st")["locations"], 1)
        self.assertError(denied, PERMISSION_DENIED, "permission_denied", id="post",
                         msg="a posting by nobody under the default access")
        self.assertError(whoami, PERMISSION_DENIED, "permission_denied", id="admin")
        with d.connect() as c:
            self.assertEqual(bin_quantity(c), 0, "the refused posting changed the bin")
            self.assertEqual(warehouse_entries(c), [])

        # Restart with an access file granting nobody the post role.
        access = os.path.join(self.tmp, "access")
        with open(access, "w") as f:
            f.write("# test access file\nuser nobody post\n")
        d.kill()
        d.start(["--socket-mode", "666", "--access", access])
        allowed, admin = self.as_nobody_call(
            d, post, {"jsonrpc": "2.0", "id": "admin", "method": "location.create", "params": {"code": "WH9"}})
        self.assertResult(allowed, id="post", msg="a posting by nobody with `user nobody post`")
        # post is not admin: master data stays closed.
        self.assertError(admin, PERMISSION_DENIED, "permission_denied", id="admin")
        with d.connect() as c:
            self.assertEqual(bin_quantity(c), 2)
            entries = warehouse_entries(c, documentNo="NOBODY-1")
            self.assertEqual(len(entries), 2, entries)
            self.assertEqual({e["user"] for e in entries}, {"nobody"})
            self.assertEqual([l["code"] for l in c.ok("location.list")["locations"]], ["WH1"])


if __name__ == "__main__":
    unittest.main()
