"""Access control: the socket file's mode at start-up, the access file's grammar, and the roles by peer credentials.

The tests with another user need root and setpriv (or runuser); whsed is started with --socket-mode 666 so that
nobody can connect at all, and they skip with the reason otherwise.
"""

import json
import math
import os
import pwd
import grp
import stat
import subprocess
import sys
import time
import unittest

from harness import (DaemonTestCase, Daemon, PERMISSION_DENIED, bin_quantity, posting, setup_master_data,
                     warehouse_entries, which, WHSED)

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

# Watches a path from its own process until STOP exists: prints each distinct mode the path had, in the order first
# seen (lstat in a tight loop, so a mode that lasts a few microseconds is seen).
WATCHER = r'''
import os, stat, sys
path, stop = sys.argv[1], sys.argv[2]
seen = []
n = 0
print("ready", flush=True)
while True:
    n += 1
    if n % 512 == 0 and os.path.exists(stop):
        break
    try:
        m = os.lstat(path).st_mode
    except FileNotFoundError:
        continue
    if not seen or seen[-1] != m:
        seen.append(m)
print(" ".join(oct(m) for m in seen), flush=True)
'''

# Connects to a path over and over until STOP exists; prints how many connects succeeded and, of those, how many got
# an answer to server.status (run as another user: with a socket of mode 600 owned by root, both must stay 0).
KNOCKER = r'''
import json, os, socket, sys
path, stop = sys.argv[1], sys.argv[2]
connected = answered = attempts = 0
print("ready", flush=True)
while not os.path.exists(stop):
    attempts += 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        s.close()
        continue
    connected += 1
    try:
        s.settimeout(10)
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"server.status"}\n')
        if b"result" in s.recv(65536):
            answered += 1
    except OSError:
        pass
    s.close()
print(json.dumps({"attempts": attempts, "connected": connected, "answered": answered}), flush=True)
'''


def nobody_prefix(test):
    """The command prefix that runs a program as nobody, or skips the test with the reason."""
    if os.geteuid() != 0:
        test.skipTest("needs root (to run a client as nobody)")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        test.skipTest("there is no user nobody")
    group = "nogroup"
    try:
        grp.getgrnam(group)
    except KeyError:
        group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    setpriv, runuser = which("setpriv"), which("runuser")
    if setpriv:
        return [setpriv, "--reuid=nobody", f"--regid={group}", "--clear-groups"]
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    test.skipTest("neither setpriv nor runuser is installed")


def nobody_python(test, prefix):
    """A Python interpreter nobody may run (the test's own may live under /root), or skips."""
    for py in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3", which("python3")):
        if py and subprocess.run(prefix + [py, "-c", "import json, socket"], capture_output=True).returncode == 0:
            return py
    test.skipTest("no Python interpreter that the user nobody can run")


class SocketMode(DaemonTestCase):
    """whsed binds its socket with the final mode from the start: under umask 000 and --socket-mode 600 the file is
    never seen with a broader mode, and another user never connects during start-up (protocol.md 2.1)."""

    STARTS = 8

    def start_under_umask(self, dir, args, umask):
        """Starts whsed in DIR with the given umask (inherited from this process for the fork)."""
        d = self.new_daemon(args, subdir=dir)
        old = os.umask(umask)
        try:
            d.start(wait=False)
        finally:
            os.umask(old)
        d.wait_ready()
        return d

    def run_beside(self, script, argv_prefix, path, start):
        """Runs SCRIPT (argv_prefix + python) watching PATH while START() starts whsed; returns its last line."""
        stop = path + ".stop"
        proc = subprocess.Popen(argv_prefix + [script, path, stop], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline().strip(), "ready")
            start()
            time.sleep(0.2)
        finally:
            open(stop, "w").close()
            out, _ = proc.communicate(timeout=60)
        os.unlink(stop)
        return out.strip()

    def test_socket_file_never_has_a_broader_mode_than_asked_for(self):
        script = os.path.join(self.tmp, "watch.py")
        with open(script, "w") as f:
            f.write(WATCHER)
        # umask 000 would let bind(2) create the file 0777; umask 077 takes bits whsed must then put back.
        cases = [(0o000, 0o600), (0o000, 0o660), (0o077, 0o660)]
        for i in range(self.STARTS):
            for umask, mode in cases:
                sub = f"start{i}-{umask:03o}-{mode:03o}"
                path = os.path.join(self.tmp, sub, "whsed.sock")
                os.makedirs(os.path.dirname(path))
                holder = {}
                seen = self.run_beside(script, [sys.executable], path, lambda: holder.setdefault(
                    "d", self.start_under_umask(sub, ["--socket-mode", f"{mode:o}"], umask)))
                modes = [int(m, 8) for m in seen.split()]
                ctx = f"start {i}, umask {umask:03o}, --socket-mode {mode:o} (modes seen: {seen})"
                self.assertTrue(modes, f"{ctx}: the watcher never saw {path}")
                for m in modes:
                    self.assertTrue(stat.S_ISSOCK(m), f"{ctx}: {oct(m)} is not a socket")
                    self.assertEqual(m & 0o7777 & ~mode, 0,
                                     f"{ctx}: the socket file had mode {oct(m & 0o7777)}, broader than {oct(mode)}")
                self.assertEqual(os.stat(path).st_mode & 0o7777, mode, f"{ctx}: the final mode")
                holder["d"].kill()

    def test_a_served_socket_is_kept_a_stale_one_replaced_and_a_file_refused(self):
        first = self.start_daemon(["--socket-mode", "600"])
        second = Daemon(self.tmp, ["--socket-mode", "600"])
        second.state = os.path.join(self.tmp, "state2")
        self.daemons.append(second)
        second.start(wait=False)
        self.assertEqual(second.wait_exit(60), 71, second.log())
        self.assertIn("another process already serves", second.log())
        with first.connect() as c:
            self.assertIn("result", c.rpc("server.status"), "the first whsed lost its socket")
        first.kill()   # leaves a stale socket file behind
        self.assertTrue(stat.S_ISSOCK(os.lstat(first.socket).st_mode))
        first.start()
        with first.connect() as c:
            self.assertIn("result", c.rpc("server.status"))
        first.kill()
        os.unlink(first.socket)
        with open(first.socket, "w") as f:
            f.write("not a socket\n")
        first.start(wait=False)
        self.assertEqual(first.wait_exit(60), 71, first.log())
        self.assertIn("exists and is not a socket", first.log())
        with open(first.socket) as f:
            self.assertEqual(f.read(), "not a socket\n", "whsed changed a file that was not its socket")

    def listen_backlog(self, path):
        """The backlog of the listening socket at PATH, from `ss` (its Send-Q column)."""
        r = subprocess.run(["ss", "-xlnH"], capture_output=True, text=True, timeout=30)
        for line in r.stdout.splitlines():
            words = line.split()
            if path in words:
                return int(words[3])
        self.fail(f"{path} is not listening: {r.stdout}")

    def test_the_backlog_is_512_on_a_bound_and_on_a_passed_socket(self):
        if not which("ss"):
            self.skipTest("ss (iproute2) is not installed")
        d = self.start_daemon()
        self.assertEqual(self.listen_backlog(d.socket), 512)
        d.kill()
        activate = which("systemd-socket-activate")
        if not activate:
            self.skipTest("systemd-socket-activate is not installed")
        path = os.path.join(self.tmp, "activated.sock")
        proc = subprocess.Popen([activate, "-l", path, WHSED, "--state-dir", os.path.join(self.tmp, "state-a")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(path):
                self.assertLess(time.monotonic(), deadline, "systemd-socket-activate did not listen")
                time.sleep(0.02)
            from harness import Conn
            with Conn(path, timeout=30) as c:   # the first connection starts whsed on the passed socket
                self.assertIn("result", c.rpc("server.status"))
                self.assertEqual(self.listen_backlog(path), 512, "the backlog after whsed adopted the socket")
        finally:
            proc.kill()
            proc.wait()

    def test_socket_mode_must_be_octal_permission_bits(self):
        for bad in ("1777", "4660", "+660", "9", "", "0o660"):
            d = self.new_daemon(["--socket-mode", bad], subdir=f"bad{len(self.daemons)}")
            d.start(wait=False)
            self.assertEqual(d.wait_exit(60), 64, f"--socket-mode {bad!r}: {d.log()}")
            self.assertIn("--socket-mode must be octal", d.log())
            self.assertFalse(os.path.exists(d.socket))

    def test_another_user_never_connects_during_start_up(self):
        prefix = nobody_prefix(self)
        python = nobody_python(self, prefix)
        os.chmod(self.tmp, 0o755)
        script = os.path.join(self.tmp, "knock.py")
        with open(script, "w") as f:
            f.write(KNOCKER)
        os.chmod(script, 0o644)
        for i in range(self.STARTS):
            sub = f"start{i}"
            dir = os.path.join(self.tmp, sub)
            os.makedirs(dir)
            os.chmod(dir, 0o777)   # nobody may reach the path and create the stop file's neighbours
            path = os.path.join(dir, "whsed.sock")
            holder = {}
            out = self.run_beside(script, prefix + [python], path, lambda: holder.setdefault(
                "d", self.start_under_umask(sub, ["--socket-mode", "600"], 0)))
            result = json.loads(out.splitlines()[-1])
            self.assertGreater(result["attempts"], 0, out)
            self.assertEqual(result["connected"], 0,
                             f"start {i}: nobody connected to a socket of mode 600 during start-up: {result}")
            with holder["d"].connect() as c:
                self.assertIn("result", c.rpc("server.status"), "root still connects")
            holder["d"].kill()


class AccessFile(DaemonTestCase):
    """whsed refuses an access file that is not exactly the grammar of protocol.md section 7: it logs the line number
    and exits with status 78 without serving (a lenient reading would start it with another policy)."""

    def refused(self, content, line, fragment):
        path = os.path.join(self.tmp, "access")
        with open(path, "wb") as f:
            f.write(content)
        d = self.new_daemon(["--access", path], subdir=f"d{len(self.daemons)}")
        d.start(wait=False)
        self.assertEqual(d.wait_exit(60), 78, f"{content!r}: {d.log()}")
        self.assertIn(f"access file line {line}: ", d.log(), content)
        self.assertIn(fragment, d.log(), content)
        self.assertFalse(os.path.exists(d.socket), "whsed bound its socket with a refused access file")

    def test_lenient_access_files_are_refused_with_the_line_number(self):
        self.refused(b"default read\ndefault admin\n", 2, "a second `default` line")
        self.refused(b"# ids\nuid +65534 read\n", 2, "is not a number")
        self.refused(b"uid 0065534 post\n", 1, "has a leading zero")
        self.refused(b"uid 4294967295 post\n", 1, "out of range")
        self.refused(b"default read\n# caf\xe9\nuid 1001 post\n", 2, "not valid UTF-8")
        self.refused(b"uid 1001 read\nuid 1001 admin\n", 2, "a second rule for uid 1001")
        self.refused(b"uid 1001 post please\n", 1, "unexpected \"please\"")
        self.refused(b"default read\r\n", 1, "carriage return")
        self.refused(b"uid 0 read\n", 1, "is root")

    def test_a_valid_access_file_is_accepted(self):
        path = os.path.join(self.tmp, "access")
        with open(path, "w") as f:
            f.write("# whsed access\n\tdefault read   # everyone\nuid 1001 post\ngid 1002 admin")
        d = self.start_daemon(["--access", path])
        with d.connect() as c:
            self.assertIn("result", c.rpc("server.status"))


class AccessControl(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.as_nobody = nobody_prefix(self)
        # nobody must reach the client script and the socket.
        os.chmod(self.tmp, 0o755)
        self.client = os.path.join(self.tmp, "client.py")
        with open(self.client, "w") as f:
            f.write(CLIENT)
        os.chmod(self.client, 0o644)
        self.python = nobody_python(self, self.as_nobody)

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


    def test_server_verify_needs_the_admin_role(self):
        """server.verify holds the writer's lock for the whole check, so only admin may stall the postings with it."""
        d = self.start_daemon(["--socket-mode", "666"])
        with d.connect() as c:
            setup_master_data(c)
        verify = {"jsonrpc": "2.0", "id": "v", "method": "server.verify"}
        status = {"jsonrpc": "2.0", "id": "st", "method": "server.status"}
        access = os.path.join(self.tmp, "access")
        for role in ("read", "post", "admin"):
            with open(access, "w") as f:
                f.write(f"user nobody {role}\n")
            d.kill()
            d.start(["--socket-mode", "666", "--access", access])
            answer, alive = self.as_nobody_call(d, verify, status)
            if role == "admin":
                self.assertEqual(self.assertResult(answer, id="v", msg="server.verify by admin"),
                                 {"ok": True, "violations": []})
            else:
                self.assertError(answer, PERMISSION_DENIED, "permission_denied", id="v",
                                 msg=f"server.verify by a {role} connection")
                self.assertIn("needs the admin role", answer["error"]["message"])
            self.assertResult(alive, id="st", msg=f"the {role} connection after server.verify")
        # The default role (read, without an access file) too; root stays admin.
        d.kill()
        d.start(["--socket-mode", "666"])
        answer, = self.as_nobody_call(d, verify)
        self.assertError(answer, PERMISSION_DENIED, "permission_denied", id="v", msg="server.verify by default read")
        with d.connect() as c:
            self.assertIs(c.ok("server.verify")["ok"], True)
        self.assertIn("permission denied", d.log())

    def test_refusals_in_a_loop_are_logged_at_most_ten_a_second(self):
        d = self.start_daemon(["--socket-mode", "666"])
        verify = {"jsonrpc": "2.0", "method": "server.verify"}
        started = time.monotonic()
        answers = self.as_nobody_call(d, *[dict(verify, id=i) for i in range(300)])
        seconds = time.monotonic() - started
        for a in answers:
            self.assertError(a, PERMISSION_DENIED, "permission_denied", msg="server.verify by read")
        # Each refusal waits permissionDeniedDelay (10 ms): 300 in a row take 3 s at least.
        self.assertGreaterEqual(seconds, 2.9, "300 refusals answered without their delay")
        time.sleep(1.1)   # a new second: the next refusal is written, with the count of those left out
        answer, = self.as_nobody_call(d, dict(verify, id="last"))
        self.assertError(answer, PERMISSION_DENIED, "permission_denied", id="last")
        # The whole log file: Daemon.log() keeps only its last 4000 characters, fewer than 40 such lines.
        with open(d.log_path, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f.read().splitlines() if "permission denied" in l]
        self.assertGreaterEqual(len(lines), 2, lines)
        self.assertLessEqual(len(lines), 10 * (math.ceil(seconds) + 2), f"{len(lines)} lines in {seconds:.2f} s")
        suppressed = sum(int(l.split("suppressed=")[1].split()[0]) for l in lines if "suppressed=" in l)
        self.assertEqual(len(lines) + suppressed, 301, f"{len(lines)} lines, {suppressed} suppressed: {lines}")


if __name__ == "__main__":
    unittest.main()
