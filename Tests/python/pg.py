"""A throw-away PostgreSQL for the tests of whsed-pgsink (RELIABILITY.md B.9): initdb in a scratch folder, reachable
only through a Unix socket in that folder, stopped at the end whatever happens.

The server programs come from Debian's postgresql package (/usr/lib/postgresql/<version>/bin); psql runs the
queries. `PostgresCluster.available()` says why not when they are missing, for a skip.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time


def server_bin():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    return None


class PostgresCluster:
    PORT = 54329

    @staticmethod
    def available():
        """None when a cluster can be started here, else the reason."""
        if server_bin() is None:
            return "PostgreSQL's server programs are not installed (no /usr/lib/postgresql/*/bin/initdb); " \
                   "scripts/install-deps installs the postgresql package"
        if not shutil.which("psql"):
            return "psql is not installed (package postgresql-client)"
        if os.getuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root, and there is no postgres user to run initdb as"
        return None

    def __init__(self, port=None):
        self.bin = server_bin()
        self.port = port or PostgresCluster.PORT + os.getpid() % 500
        self.dir = tempfile.mkdtemp(prefix="whsed-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        self.as_user = []
        if os.getuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.user = "postgres" if os.getuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
        self.socket = os.path.join(self.dir, f".s.PGSQL.{self.port}")
        self.database = "postgres"

    def _run(self, args, check=True):
        return subprocess.run(self.as_user + args, capture_output=True, text=True, check=check, cwd=self.dir)

    def init(self):
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "--auth=trust", f"--username={self.user}",
                   "--encoding=UTF8", "--locale=C"])
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{self.dir}'\nport = {self.port}\n"
                    "fsync = on\nmax_connections = 50\n")
        return self

    def start(self):
        r = self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60", "start"],
                      check=False)
        if r.returncode != 0:
            raise AssertionError(f"pg_ctl start failed: {r.stdout} {r.stderr} {self.tail()}")
        return self

    def stop(self):
        r = self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop"],
                      check=False)
        if r.returncode != 0:
            try:
                with open(os.path.join(self.data, "postmaster.pid")) as f:
                    os.kill(int(f.readline()), signal.SIGQUIT)
            except (OSError, ValueError):
                pass

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tail(self):
        try:
            with open(self.log) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def sql(self, query, timeout=60):
        """Rows of a query, each a list of text fields (psql -A -t, fields split on |)."""
        r = subprocess.run(["psql", "-h", self.dir, "-p", str(self.port), "-U", self.user, "-d", self.database,
                            "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-F", "|", "-c", query],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise AssertionError(f"psql failed: {query}: {r.stderr}")
        return [line.split("|") for line in r.stdout.splitlines() if line != ""]

    def value(self, query):
        rows = self.sql(query)
        return rows[0][0] if rows else None

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sql("SELECT 1", timeout=5)
                return
            except (AssertionError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
