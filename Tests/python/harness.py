"""Shared helpers for the black-box tests of whsed.

Every test starts its own whsed (``whsed --socket ABS --state-dir DIR`` in a temporary folder, with
``SWIFT_BACKTRACE=enable=no``), waits until the socket answers ``server.status`` and kills it at the end.

The binaries come from ``$WHSED_BIN_DIR`` (default: ``<repo>/.build/debug``).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN_DIR = os.environ.get("WHSED_BIN_DIR", os.path.join(REPO, ".build", "debug"))
WHSED = os.path.join(BIN_DIR, "whsed")

# Error codes of whsed (Sources/WhseProtocol/RPCError.swift).
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
LIMIT_EXCEEDED = 1011
PERMISSION_DENIED = 2001
IDEMPOTENCY_CONFLICT = 2002
SHUTTING_DOWN = 3002

RSS_LIMIT_KB = 300 * 1024


def require_binary():
    if not os.access(WHSED, os.X_OK):
        raise AssertionError(
            f"whsed binary not found at {WHSED}; set WHSED_BIN_DIR to the folder holding whsed")


def encode(obj):
    """A request as one line of bytes (without the newline)."""
    if isinstance(obj, bytes):
        return obj
    if isinstance(obj, str):
        return obj.encode()
    return json.dumps(obj, separators=(",", ":")).encode()


def request(method, params=None, id=1):
    o = {"jsonrpc": "2.0", "method": method}
    if id is not None:
        o["id"] = id
    if params is not None:
        o["params"] = params
    return o


class ConnectionClosed(Exception):
    pass


class Conn:
    """One client connection; newline-delimited JSON."""

    def __init__(self, path, timeout=10.0, connect=True):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buf = b""
        if connect:
            try:
                self.sock.connect(path)
            except BaseException:
                self.sock.close()
                raise

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, obj, newline=True):
        data = encode(obj)
        if newline:
            data += b"\n"
        self.sock.sendall(data)

    def recv_line(self, timeout=None):
        """The next line (without newline) as bytes; raises ConnectionClosed at EOF, socket.timeout on timeout."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionClosed(f"EOF; unterminated data: {self.buf[:200]!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self, timeout=None):
        line = self.recv_line(timeout)
        try:
            return json.loads(line)
        except ValueError as e:
            raise AssertionError(f"whsed sent a line that is not JSON: {line[:300]!r}") from e

    def call(self, obj, timeout=None):
        self.send(obj)
        return self.recv(timeout)

    def rpc(self, method, params=None, id=1, timeout=None):
        return self.call(request(method, params, id), timeout)

    def ok(self, method, params=None, id=1, timeout=None):
        r = self.rpc(method, params, id, timeout)
        if "result" not in r:
            raise AssertionError(f"{method} {params!r} failed: {r!r}")
        return r["result"]

    def nothing_more(self, wait=0.3):
        """True when no further byte arrives within `wait` seconds (the connection may stay open)."""
        if self.buf:
            return False
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            return True
        if not chunk:
            return True
        self.buf += chunk
        return False

    def wait_eof(self, timeout):
        """Seconds until the server closes the connection (reads and discards data), None on timeout."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return None
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic() - start
            if not chunk:
                return time.monotonic() - start
            self.buf += chunk


class Daemon:
    """A whsed process with its own socket and state folder."""

    def __init__(self, dir, args=(), env=None):
        self.dir = dir
        self.socket = os.path.join(dir, "whsed.sock")
        self.state = os.path.join(dir, "state")
        self.log_path = os.path.join(dir, "whsed.log")
        self.args = list(args)
        self.env = dict(env or {})
        self.proc = None
        self.binary = WHSED

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, args=None, env=None, wait=True, timeout=60.0):
        if args is not None:
            self.args = list(args)
        if env is not None:
            self.env = dict(env)
        e = dict(os.environ)
        for k in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM", "NOTIFY_SOCKET",
                  "WATCHDOG_USEC", "WATCHDOG_PID", "LD_PRELOAD"):
            e.pop(k, None)
        e["SWIFT_BACKTRACE"] = "enable=no"
        e.update(self.env)
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [self.binary, "--socket", self.socket, "--state-dir", self.state] + self.args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=e, close_fds=True)
        finally:
            log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"whsed exited with {self.proc.returncode} while starting; log:\n{self.log()}")
            if os.path.exists(self.socket):
                try:
                    with Conn(self.socket, timeout=5) as c:
                        r = c.rpc("server.status", id="ready")
                        if "result" in r:
                            return
                        last = r
                except (OSError, ConnectionClosed, ValueError) as e:
                    last = e
            time.sleep(0.02)
        raise AssertionError(f"whsed did not answer within {timeout}s (last: {last!r}); log:\n{self.log()}")

    def connect(self, timeout=10.0):
        return Conn(self.socket, timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def kill(self):
        """SIGKILL and reap; returns the exit status (negative signal number)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait()

    def terminate(self, timeout=30.0):
        """SIGTERM and wait; returns the exit status, or None when it did not exit in time (then SIGKILLed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def proc_status(self, field):
        """A field of /proc/PID/status in kB (VmRSS, VmHWM, ...)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise AssertionError(f"{field} not in /proc/{self.proc.pid}/status")

    def rss_kb(self):
        return self.proc_status("VmRSS")

    def peak_rss_kb(self):
        return self.proc_status("VmHWM")

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


class DaemonTestCase(unittest.TestCase):
    """Gives each test a temporary folder and a `start_daemon` helper; every daemon is killed at the end."""

    def setUp(self):
        require_binary()
        self.tmp = tempfile.mkdtemp(prefix="whsed-py-")
        self.daemons = []
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for d in self.daemons:
            try:
                d.kill()
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def new_daemon(self, args=(), env=None, subdir=None):
        dir = os.path.join(self.tmp, subdir) if subdir else self.tmp
        os.makedirs(dir, exist_ok=True)
        d = Daemon(dir, args, env)
        self.daemons.append(d)
        return d

    def build_shim(self, name):
        """Compiles Tests/python/NAME (an LD_PRELOAD shim) into the test's folder; returns the .so path. Skips the
        test when no C compiler is installed."""
        gcc = which("gcc") or which("cc")
        if not gcc:
            self.skipTest(f"gcc (or cc) is not installed: cannot build the {name} LD_PRELOAD shim")
        so = os.path.join(self.tmp, name.replace(".c", ".so"))
        r = subprocess.run([gcc, "-shared", "-fPIC", "-O2", "-o", so, os.path.join(HERE, name), "-ldl"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.fail(f"building {name} failed: {r.stderr}")
        return so

    def calibrate_syncs(self, so):
        """How many fsync/fdatasync calls a fresh whsed under the failsync shim `so` makes up to the end of the
        master data (a daemon of its own, killed afterwards)."""
        cal = self.new_daemon(subdir="calibrate")
        cal_log = os.path.join(cal.dir, "syncs.log")
        cal.start(env={"LD_PRELOAD": so, "FAILSYNC_LOG": cal_log})
        with cal.connect() as c:
            setup_master_data(c)
        base = line_count(cal_log)
        self.assertGreater(base, 0, "the shim saw no fsync/fdatasync: is LD_PRELOAD effective?")
        cal.kill()
        return base

    def start_daemon(self, args=(), env=None, subdir=None):
        d = self.new_daemon(args, env, subdir)
        d.start()
        return d

    # Assertions on responses.

    def assertError(self, response, code, reason=None, id="__any__", limit=None, msg=None):
        ctx = f"{msg + ': ' if msg else ''}response {response!r}"
        self.assertIsInstance(response, dict, ctx)
        self.assertEqual(response.get("jsonrpc"), "2.0", ctx)
        self.assertNotIn("result", response, ctx)
        self.assertIn("error", response, ctx)
        err = response["error"]
        self.assertEqual(err.get("code"), code, ctx)
        self.assertIsInstance(err.get("message"), str, ctx)
        if reason is not None:
            self.assertEqual(err.get("data", {}).get("reason"), reason, ctx)
        if id != "__any__":
            self.assertIn("id", response, ctx)
            self.assertEqual(response["id"], id, ctx)
        if limit is not None:
            self.assertEqual(err.get("data", {}).get("limit"), limit, f"data.limit should name {limit}; {ctx}")

    def assertResult(self, response, id="__any__", msg=None):
        ctx = f"{msg + ': ' if msg else ''}response {response!r}"
        self.assertIsInstance(response, dict, ctx)
        self.assertEqual(response.get("jsonrpc"), "2.0", ctx)
        self.assertIn("result", response, ctx)
        self.assertNotIn("error", response, ctx)
        if id != "__any__":
            self.assertEqual(response.get("id"), id, ctx)
        return response["result"]

    def assertHealthy(self, daemon, rss_limit_kb=RSS_LIMIT_KB):
        """whsed is alive, answers a fresh connection, server.verify says ok, and its RSS stayed bounded."""
        self.assertTrue(daemon.alive(), f"whsed died (status {daemon.proc.poll()}); log:\n{daemon.log()}")
        with daemon.connect(timeout=15) as c:
            status = c.rpc("server.status", id="health")
            self.assertResult(status, id="health")
            verify = c.rpc("server.verify", id="verify")
            res = self.assertResult(verify, id="verify")
            self.assertIs(res.get("ok"), True, f"server.verify: {verify!r}")
        rss = daemon.rss_kb()
        peak = daemon.peak_rss_kb()
        self.assertLess(rss, rss_limit_kb, f"VmRSS {rss} kB")
        self.assertLess(peak, rss_limit_kb, f"VmHWM (peak RSS) {peak} kB")


# Master data used by most tests: a directed location WH1 (adjustment bin ADJ), zone PICK, bins A-01 and B-02,
# item ITEM1.
def setup_master_data(conn):
    conn.ok("location.create", {"code": "WH1", "name": "Main", "kind": "directed"})
    conn.ok("zone.create", {"location": "WH1", "code": "PICK", "binType": "PICK"})
    conn.ok("bin.create", {"location": "WH1", "code": "A-01", "zone": "PICK"})
    conn.ok("bin.create", {"location": "WH1", "code": "B-02", "zone": "PICK"})
    conn.ok("item.create", {"no": "ITEM1", "description": "Widget"})


def posting(key, quantity=1, bin="A-01"):
    """A +quantity whseItemJournal line with `key` as idempotency key and document number."""
    return {"location": "WH1", "documentNo": key, "idempotencyKey": key,
            "lines": [{"item": "ITEM1", "bin": bin, "quantity": quantity}]}


def warehouse_entries(conn, **filters):
    """Every warehouse entry matching the filters, through entries.warehouse paging."""
    out = []
    after = 0
    while True:
        params = dict(filters, limit=1000)
        if after:
            params["after"] = after
        res = conn.ok("entries.warehouse", params, id="page", timeout=30)
        out.extend(res["entries"])
        nxt = res.get("nextAfter")
        if nxt is None:
            return out
        if nxt <= after:
            raise AssertionError(f"entries.warehouse paging does not advance: after={after} nextAfter={nxt}")
        after = nxt


def bin_quantity(conn, bin="A-01", item="ITEM1"):
    rows = conn.ok("bin.contents", {"location": "WH1", "bin": bin, "includeZero": True})["rows"]
    total = 0
    for r in rows:
        if r["item"] == item:
            total += r["quantity"]
    return total


def which(name):
    return shutil.which(name)


def push(sock, data, idle=0.5, limit=20.0):
    """Sends as much of `data` as the peer takes, without blocking, until nothing more goes for `idle` seconds
    (or `limit` seconds in all); returns the bytes sent."""
    sock.setblocking(False)
    view = memoryview(data)
    sent = 0
    last = time.monotonic()
    deadline = last + limit
    while sent < len(data) and time.monotonic() < deadline:
        try:
            sent += sock.send(view[sent:sent + (1 << 16)])
            last = time.monotonic()
        except BlockingIOError:
            if time.monotonic() - last > idle:
                break
            time.sleep(0.002)
    return sent


def padded(req, size):
    """A request line padded with spaces to `size` bytes, newline included."""
    line = encode(req)
    return line + b" " * (size - len(line) - 1) + b"\n"


def line_count(path):
    """Lines in a file (0 when it does not exist yet): the calls an LD_PRELOAD shim logged."""
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0
