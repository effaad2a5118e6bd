"""Power loss (RELIABILITY B.3c): whsed's state folder on lazyfs (lazyfs.py), a FUSE passthrough that keeps written
data in memory until the file is fsynced and directory entries until the directory is fsynced, and that drops all of
it on a simulated power cut.

Each round: whsed starts on the state left by the previous power loss; every acknowledged posting must be there
exactly once (entries.warehouse paging and the bin sums), an unacknowledged one at most once (each is retried with its
idempotency key: a replay exactly when it was kept), and server.verify must say ok. Then several clients post +1 lines
with unique idempotency keys and, at a random moment, the power goes: either whsed is SIGKILLed and lazyfs drops
everything unsynced, or lazyfs cuts first (at once, or at a random file-system operation from now) and whsed, whose
next write or sync fails, must exit without acknowledging. A third of the rounds also cut during start-up (recovery
rewrites the last segment). lazyfs is then unmounted and mounted again: the reboot.

The same loop with whsed under nosync.so (LD_PRELOAD: fsync and fdatasync do nothing, a stand-in for a build that
skips fdatasync) must find acknowledged postings missing: it shows that the harness catches a missing sync, which a
SIGKILL test cannot (B.3b). A third test lets whsed make its state folder itself.

Needs root, /dev/fuse and fusepy (apt-get install -y fuse3 python3-fusepy); the nosync check also needs gcc. Each is
skipped with its reason when missing. Environment: WHSED_POWERLOSS_ROUNDS (power losses per loop, default 8),
WHSED_POWERLOSS_SEED (the random seed; a failure names it), WHSED_POWERLOSS_MODE (drop, the default, or tear).
"""

import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

import lazyfs
from harness import (HERE, WHSED, ConnectionClosed, Conn, Daemon, DaemonTestCase, bin_quantity, posting,
                     setup_master_data, warehouse_entries, which)
from test_entry_index import dump

LAZYFS = os.path.join(HERE, "lazyfs.py")
ROUNDS = int(os.environ.get("WHSED_POWERLOSS_ROUNDS", "8"))
# drop: a power cut loses every unsynced write; tear: each unsynced write is applied, dropped or torn at a 512-byte
# boundary (the appendix's model). Unsynced directory changes are undone in both.
MODE = os.environ.get("WHSED_POWERLOSS_MODE", "drop")
CLIENTS = 6
POST_SECONDS = (0.3, 1.2)          # how long the clients post before the power cut (uniform)
CHECKPOINT_CHOICES = (100000, 60)  # --checkpoint-every per round: hardly ever, or a snapshot every 60 postings
JOURNAL_LINES = 100                # lines per posting of the history test: 200 warehouse entries


def journal_posting(key):
    """A whseItemJournal of JOURNAL_LINES +1 lines, alternately into A-01 and B-02 (each line also takes one piece out
    of ADJ), with `key` as idempotency key and document no."""
    return {"location": "WH1", "documentNo": key, "idempotencyKey": key,
            "lines": [{"item": "ITEM1", "bin": ("A-01", "B-02")[i % 2], "quantity": 1} for i in range(JOURNAL_LINES)]}


def fuse_unavailable():
    """Why the FUSE power-loss test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to mount the lazyfs FUSE file system"
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (no FUSE in this kernel or container)"
    try:
        lazyfs.load_fusepy()
    except ImportError as e:
        return f"{e}; install it with: apt-get install -y fuse3 python3-fusepy"
    if not which("umount"):
        return "umount is not installed (util-linux)"
    return None


def mounted(path):
    """True when `path` is a mount point, also for a FUSE mount whose process has ended (stat fails there)."""
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


def sync_directory(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MountFailed(Exception):
    pass


class LazyMount:
    """lazyfs.py over `backing` at `mountpoint`; `power_loss()` drops what was not synced and unmounts."""

    def __init__(self, backing, mountpoint, workdir, seed, mode="drop"):
        self.backing = backing
        self.mountpoint = mountpoint
        self.workdir = workdir
        self.seed = seed
        self.mode = mode
        self.proc = None
        self.mounts = 0
        self.last_stats = None
        self.log_path = os.path.join(workdir, "lazyfs.log")
        self.stats_path = os.path.join(workdir, "lazyfs-stats.json")
        os.makedirs(backing, exist_ok=True)
        os.makedirs(mountpoint, exist_ok=True)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-3000:]
        except OSError:
            return ""

    def mount(self, timeout=20.0):
        self.mounts += 1
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, LAZYFS, self.backing, self.mountpoint, "--seed", str(self.seed * 1000 + self.mounts),
                 "--stats", self.stats_path, "--mode", self.mode],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if mounted(self.mountpoint) and os.path.isdir(self.mountpoint):
                return
            if self.proc.poll() is not None:
                raise MountFailed(f"lazyfs exited with {self.proc.returncode} before mounting; its log:\n{self.log()}")
            time.sleep(0.02)
        raise MountFailed(f"lazyfs did not mount within {timeout}s; its log:\n{self.log()}")

    def _control(self, name):
        """Creates a control file; False when that fails (for .lazyfs-crash expected: lazyfs ends while answering)."""
        try:
            fd = os.open(os.path.join(self.mountpoint, name), os.O_CREAT | os.O_WRONLY, 0o600)
        except OSError:
            return False
        try:
            os.close(fd)
        except OSError:
            pass   # an armed countdown may already have run out: the close's flush then finds lazyfs gone
        return True

    def arm(self, operations, within=None):
        """The power loss comes just before the `operations`th changing file-system operation from now (counting
        only those on a path with the component `within`, when given)."""
        self._remove_stats()
        if not self._control(f".lazyfs-crash-after-{operations}" + (f"-in-{within}" if within else "")):
            raise AssertionError(f"lazyfs refused to arm its countdown; its log:\n{self.log()}")

    def wait_armed(self, timeout):
        """After `arm`: waits up to `timeout` seconds for the power loss (then forces it); returns lazyfs's summary."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._control(".lazyfs-crash")
        return self._finish()

    def _remove_stats(self):
        try:
            os.remove(self.stats_path)
        except FileNotFoundError:
            pass

    def power_loss(self):
        """Drops every unsynced write and directory change, ends lazyfs and unmounts; returns lazyfs's summary."""
        self._remove_stats()
        self._control(".lazyfs-crash")
        return self._finish()

    def _finish(self, timeout=20.0):
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"lazyfs did not end within {timeout}s of the power cut; its log:\n{self.log()}")
        self.unmount()
        if status != 0 or not os.path.exists(self.stats_path):
            raise AssertionError(f"lazyfs ended with {status} without its power-loss summary; its log:\n{self.log()}")
        with open(self.stats_path) as f:
            stats = json.load(f)
        self.last_stats = stats
        if stats["undo_errors"]:
            raise AssertionError(f"lazyfs could not undo unsynced directory changes: {stats['undo_errors']}")
        return stats

    def unmount(self):
        for cmd in (["umount", self.mountpoint], ["umount", "-l", self.mountpoint]):
            if not mounted(self.mountpoint):
                break
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if mounted(self.mountpoint):
            raise AssertionError(f"cannot unmount {self.mountpoint}")

    def stop(self):
        """Cleanup: unmount (lazily when busy) and end lazyfs."""
        try:
            self.unmount()
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


class LazyDaemon(Daemon):
    """whsed from a private copy of the binary, with its state folder on the lazyfs mount and its socket outside."""

    def __init__(self, dir, state, binary):
        super().__init__(dir)
        self.state = state
        self.binary = binary

    def start(self, args=None, env=None, wait=True, timeout=60.0):
        try:
            os.remove(self.socket)   # left by the SIGKILLed one; whsed would replace it, but the wait must not see it
        except FileNotFoundError:
            pass
        return super().start(args, env, wait, timeout)


class Poster(threading.Thread):
    """Posts +1 whseItemJournal lines with unique idempotency keys on one connection until it breaks (whsed is
    killed) or `stop` is set. A key is acknowledged only with a success reply for it."""

    def __init__(self, prefix, path, stop, make=posting):
        super().__init__(daemon=True)
        self.prefix = prefix
        self.path = path
        self.stop = stop
        self.make = make       # the params of the posting with a given key
        self.acked = []
        self.unacked = []     # sent (perhaps partly) without a reply
        self.refused = []     # (key, response): error replies
        self.replayed = []    # first sends answered as replays
        self.timeouts = []

    def run(self):
        try:
            conn = Conn(self.path, timeout=20)
        except OSError:
            return
        n = 0
        with conn:
            while not self.stop.is_set():
                key = f"{self.prefix}-{n}"
                n += 1
                try:
                    r = conn.rpc("whseItemJournal.register", self.make(key), id=key)
                except socket.timeout:
                    self.timeouts.append(key)
                    self.unacked.append(key)
                    return
                except (OSError, ConnectionClosed):
                    self.unacked.append(key)
                    return
                if "result" in r and r.get("id") == key:
                    self.acked.append(key)
                    if r["result"].get("replayed"):
                        self.replayed.append(key)
                else:
                    self.refused.append((key, r))


class Book:
    """What the clients were told: keys acknowledged, keys sent without a reply, every key ever sent."""

    def __init__(self):
        self.acked = set()
        self.unacked = set()
        self.sent = set()


def describe_power_loss(stats):
    """lazyfs's summary of a power loss, for a failure message: where it came, what it dropped, the last operations."""
    if not stats:
        return "no power loss yet"
    head = {k: stats[k] for k in ("mode", "at", "pending_files", "pending_bytes") if k in stats}
    head["undone"] = f"{len(stats.get('undone', []))} directory changes, newest first: {stats.get('undone', [])[:6]}"
    writes = "\n".join(f"    {w}" for w in stats.get("writes", [])[:12])
    trace = "\n".join(f"    {t}" for t in stats.get("trace", [])[-20:])
    return f"the last power loss: {json.dumps(head)}\n  unsynced writes:\n{writes}\n  last operations:\n{trace}"


def summary(fig):
    """The loop's figures in one line."""
    where = collections.Counter(at.split(" ")[0] if at != "on request" else "at a random time" for at in fig["cut_at"])
    return (f"{fig['crashes'] + fig['boot_crashes']} power losses ({fig['boot_crashes']} during start-up, "
            f"{fig['cut_first']} while whsed posted, {fig['crashes'] - fig['cut_first']} right after a SIGKILL; cut "
            f"{', '.join(f'{n}x {w}' for w, n in where.most_common())}), {fig['acked']} postings acknowledged "
            f"(+{fig['retried']} unacknowledged ones retried, {fig['unacked_present']} of those had been kept), "
            f"{fig['lost']} acknowledged lost in {fig['lost_rounds']} power losses, {fig['dropped_bytes']} unsynced "
            f"bytes and {fig['undone_dir_ops']} directory changes dropped, {fig['torn_tails']} torn tails cut, "
            f"{fig['snapshot_rounds']} rounds with snapshots, whsed exit statuses after a cut: "
            f"{dict(collections.Counter(fig['statuses']))}; seed {fig['seed']}")


class PowerLossLoop(DaemonTestCase):

    def setUp(self):
        reason = fuse_unavailable()
        if reason:
            self.skipTest(reason)
        super().setUp()
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir)
        self.binary = os.path.join(bindir, "whsed")
        shutil.copy2(WHSED, self.binary)   # a rebuild during the test must not swap the binary under it
        self.mount = None

    def _cleanup(self):
        for d in self.daemons:
            try:
                d.kill()
            except Exception:
                pass
        if self.mount is not None:
            try:
                self.mount.stop()
            except Exception:
                pass
        super()._cleanup()

    def build_nosync(self):
        gcc = which("gcc") or which("cc")
        if not gcc:
            self.skipTest("gcc (or cc) is not installed: cannot build the nosync.c LD_PRELOAD shim")
        so = os.path.join(self.tmp, "nosync.so")
        r = subprocess.run([gcc, "-shared", "-fPIC", "-O2", "-o", so, os.path.join(HERE, "nosync.c")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.fail(f"building nosync.c failed: {r.stderr}")
        return so

    def mount_and_daemon(self, seed):
        """lazyfs mounted over a fresh backing folder, and a whsed (not started) with its state folder in it."""
        run = os.path.join(self.tmp, "run")
        os.makedirs(run)
        self.mount = fs = LazyMount(os.path.join(self.tmp, "backing"), os.path.join(self.tmp, "mnt"), self.tmp, seed,
                                        MODE)
        try:
            fs.mount()
        except MountFailed as e:
            text = str(e)
            refusal = re.search(r"^fuse: .*", text, re.M)   # libfuse's own refusal, e.g. "fuse: mount failed: ..."
            if refusal:
                self.skipTest(f"cannot mount a FUSE file system here: {refusal.group(0)}")
            raise
        d = LazyDaemon(run, os.path.join(fs.mountpoint, "state"), self.binary)
        self.daemons.append(d)
        return fs, d

    def check_books(self, c, book, durable):
        """After a restart: every acknowledged posting present exactly once (when `durable`; otherwise the missing
        ones are returned and dropped from the book), no posting twice, none never sent; each unacknowledged one is
        retried with its key (a replay exactly when it was present) and becomes acknowledged; A-01 holds one piece
        per posting and ADJ mirrors it; server.verify is ok. Returns (missing acknowledged keys, unacknowledged
        keys that were present)."""
        counts = collections.Counter(e["documentNo"] for e in warehouse_entries(c, bin="A-01"))
        strangers = sorted(k for k in counts if k not in book.sent)
        self.assertEqual(strangers[:10], [], f"{len(strangers)} postings present that were never sent")
        doubled = sorted((k, n) for k, n in counts.items() if n > 1)
        self.assertEqual(doubled[:10], [], f"{len(doubled)} postings present more than once")
        missing = sorted(k for k in book.acked if counts[k] == 0)
        if durable:
            self.assertEqual(missing[:10], [], f"{len(missing)} of {len(book.acked)} acknowledged postings are "
                                               f"missing after the power loss")
        book.acked -= set(missing)
        present_unacked = sorted(k for k in book.unacked if counts[k] == 1)
        for k in sorted(book.unacked):
            r = c.rpc("whseItemJournal.register", posting(k), id=k, timeout=30)
            res = self.assertResult(r, id=k, msg=f"retrying unacknowledged posting {k}")
            if counts[k] == 1:
                self.assertIs(res.get("replayed"), True, f"retry of {k} (present) was not a replay: {r!r}")
            else:
                self.assertFalse(res.get("replayed", False), f"retry of {k} (absent) claims a replay: {r!r}")
            book.acked.add(k)
        book.unacked.clear()
        self.assertEqual(bin_quantity(c), len(book.acked), "A-01 does not hold one piece per posting")
        self.assertEqual(bin_quantity(c, bin="ADJ"), -len(book.acked), "ADJ does not mirror A-01")
        v = c.ok("server.verify", id="verify", timeout=30)
        self.assertIs(v.get("ok"), True, f"server.verify after the power loss: {v!r}")
        return missing, present_unacked

    def power_loss_at_start(self, fs, d, operations, env):
        """Starts whsed with a power loss armed `operations` changing operations ahead; when whsed gets ready first
        the cut comes then. Returns lazyfs's summary once whsed is gone."""
        fs.arm(operations)
        d.start(args=[], env=env, wait=False)
        deadline = time.monotonic() + 60
        while fs.proc.poll() is None and d.alive() and time.monotonic() < deadline:
            try:
                with Conn(d.socket, timeout=5) as c:
                    if "result" in c.rpc("server.status", id="ready"):
                        break   # ready before the countdown ran out: cut now
            except (OSError, ConnectionClosed):
                pass
            time.sleep(0.02)
        stats = fs.wait_armed(0)   # the cut now, unless the countdown brought it already
        status = d.kill()
        # 65: whsed reports any error while opening the log as "start-up refused" (also for an I/O error).
        self.assertIn(status, (-signal.SIGKILL, 65, 74), f"whsed's exit status after a power cut during start-up; "
                                                         f"log:\n{d.log()}")
        return stats, status

    def power_loss_loop(self, rounds, env, durable):
        """Runs the loop; returns its figures. `durable`: acknowledged postings must survive every power loss."""
        seed = int(os.environ.get("WHSED_POWERLOSS_SEED") or int(time.time() * 1000) % 1_000_000)
        rnd = random.Random(seed)
        fs, d = self.mount_and_daemon(seed)
        # The state folder exists and is durable before whsed first starts, as under systemd's StateDirectory=
        # (test_state_folder_made_by_whsed_survives_power_loss covers whsed making it).
        os.mkdir(d.state, 0o750)
        sync_directory(fs.mountpoint)
        fig = {"seed": seed, "crashes": 0, "acked": 0, "unacked": 0, "unacked_present": 0, "lost": 0,
               "lost_rounds": 0, "rounds": [], "dropped_bytes": 0, "undone_dir_ops": 0, "snapshot_rounds": 0,
               "cut_first": 0, "cut_at": [], "boot_crashes": 0, "retried": 0, "statuses": []}
        book = Book()
        stage = "master data"
        try:
            # Master data from a correct whsed (synced), then a first power loss: the rounds start from it.
            d.start(args=[], env={})
            with d.connect() as c:
                setup_master_data(c)
            d.kill()
            fs.power_loss()
            fs.mount()
            for r in range(1, rounds + 1):
                stage = f"round {r}: start-up after the power loss"
                checkpoint = rnd.choice(CHECKPOINT_CHOICES)
                fig["snapshot_rounds"] += checkpoint < 1000
                if rnd.random() < 1 / 3:
                    # A power loss during start-up: recovery rewrites the last segment (temporary file, fsync,
                    # rename, directory fsync) and removes leftovers; the cut comes at one of those operations.
                    stage = f"round {r}: power loss during start-up"
                    stats, status = self.power_loss_at_start(fs, d, rnd.randint(1, 8), env)
                    fig["statuses"].append(status)
                    fig["boot_crashes"] += 1
                    fig["cut_at"].append(stats["at"])
                    fig["undone_dir_ops"] += stats["undone_dir_ops"]
                    fs.mount()
                    stage = f"round {r}: start-up after the power loss"
                d.start(args=["--checkpoint-every", str(checkpoint)], env=env)
                stage = f"round {r}: books after the power loss"
                fig["retried"] += len(book.unacked)
                with d.connect(timeout=30) as c:
                    missing, present = self.check_books(c, book, durable)
                if r > 1:
                    fig["rounds"][-1].update(lost=len(missing), unacked_present=len(present))
                    fig["lost"] += len(missing)
                    fig["lost_rounds"] += bool(missing)
                    fig["unacked_present"] += len(present)
                stage = f"round {r}: posting"
                stop = threading.Event()
                posters = [Poster(f"r{r}c{i}", d.socket, stop) for i in range(CLIENTS)]
                for p in posters:
                    p.start()
                time.sleep(rnd.uniform(*POST_SECONDS))
                stage = f"round {r}: power loss"
                how = rnd.choice(("kill", "cut", "op"))
                if how == "op":
                    fs.arm(rnd.randint(1, 40))
                if how in ("cut", "op"):
                    # The disk goes first (now, or at a random file-system operation from now): whsed's next write
                    # or sync fails (ENOTCONN) and it must exit without acknowledging; SIGKILL ends it if not.
                    stats = fs.power_loss() if how == "cut" else fs.wait_armed(10)
                    time.sleep(0.05)
                    status = d.kill()
                    fig["cut_first"] += 1
                    fig["statuses"].append(status)
                    self.assertIn(status, (-signal.SIGKILL, 74),
                                  f"whsed's exit status after the power cut; log:\n{d.log()}")
                else:
                    # SIGKILL first: every reply the clients get was sent before the cut.
                    status = d.kill()
                    stats = fs.power_loss()
                    self.assertEqual(status, -signal.SIGKILL, f"whsed was not running at the power cut; log:\n"
                                                              f"{d.log()}")
                stop.set()
                for p in posters:
                    p.join(30)
                    self.assertFalse(p.is_alive(), "a client thread did not end")
                fig["crashes"] += 1
                refused = [x for p in posters for x in p.refused]
                replayed = [k for p in posters for k in p.replayed]
                timeouts = [k for p in posters for k in p.timeouts]
                self.assertEqual(refused[:5], [], "postings refused with an error")
                self.assertEqual(replayed[:5], [], "first sends answered as replays")
                self.assertEqual(timeouts[:5], [], "postings without an answer for 20 s while whsed ran")
                acked = [k for p in posters for k in p.acked]
                unacked = [k for p in posters for k in p.unacked]
                book.acked.update(acked)
                book.unacked.update(unacked)
                book.sent.update(acked, unacked)
                fig["acked"] += len(acked)
                fig["unacked"] += len(unacked)
                fig["dropped_bytes"] += stats["pending_bytes"]
                fig["undone_dir_ops"] += stats["undone_dir_ops"]
                syncs = stats["counts"]["fsync"] + stats["counts"]["fsyncdir"]
                fig["cut_at"].append(stats["at"])
                fig["rounds"].append({"how": how, "at": stats["at"], "acked": len(acked), "unacked": len(unacked),
                                      "syncs": syncs,
                                      "dropped_bytes": stats["pending_bytes"], "checkpoint": checkpoint})
                if durable:
                    self.assertGreater(syncs, 0, "lazyfs saw no fsync from whsed")
                else:
                    self.assertEqual(syncs, 0, "lazyfs saw fsyncs from whsed under nosync.so: is LD_PRELOAD effective?")
                fs.mount()
            stage = "final start-up after the last power loss"
            d.start(args=[], env=env)
            stage = "final books"
            fig["retried"] += len(book.unacked)
            with d.connect(timeout=30) as c:
                missing, present = self.check_books(c, book, durable)
            fig["rounds"][-1].update(lost=len(missing), unacked_present=len(present))
            fig["lost"] += len(missing)
            fig["lost_rounds"] += bool(missing)
            fig["unacked_present"] += len(present)
            d.kill()
        except (AssertionError, MountFailed) as e:
            raise AssertionError(f"{stage} (seed {seed}, WHSED_POWERLOSS_SEED={seed} repeats it): {e}\n"
                                 f"{describe_power_loss(fs.last_stats)}\nlazyfs log:\n{fs.log()}") from e
        with open(d.log_path, errors="replace") as f:
            fig["torn_tails"] = len(re.findall(r"cut a torn tail", f.read()))
        return fig

    def test_acknowledged_postings_survive_power_loss(self):
        started = time.monotonic()
        fig = self.power_loss_loop(ROUNDS, env={}, durable=True)
        self.assertEqual(fig["lost"], 0)
        self.assertGreater(fig["acked"], 20 * ROUNDS, f"too few postings got through to mean anything: {fig}")
        self.assertGreater(fig["dropped_bytes"] + fig["undone_dir_ops"] + fig["unacked"], 0,
                           f"no power loss found anything unsynced to drop: {fig}")
        print(f"\n  power loss: {summary(fig)}; {time.monotonic() - started:.1f}s", end=" ")

    def test_state_folder_made_by_whsed_survives_power_loss(self):
        # On its first start whsed makes the state folder itself: its name must be durable (the parent directory
        # fsynced) before the first acknowledgment, or a power loss takes the whole ledger with it.
        fs, d = self.mount_and_daemon(seed=1)
        d.start(args=[], env={})
        with d.connect() as c:
            setup_master_data(c)
            for i in range(3):
                self.assertResult(c.rpc("whseItemJournal.register", posting(f"FIRST-{i}"), id=i), id=i)
        d.kill()
        stats = fs.power_loss()
        fs.mount()
        gone = [op for op in stats["undone"] if op == "mkdir /state"]
        self.assertEqual(gone, [], "the power loss took the state folder away: whsed made it but never fsynced its "
                                   f"parent directory (lazyfs undid: {stats['undone']})")
        d.start(args=[], env={})
        with d.connect() as c:
            status = c.ok("server.status")
            self.assertEqual((status["locations"], status["bins"], status["items"]), (1, 3, 1),
                             "acknowledged master data is missing after the power loss")
            self.assertEqual(bin_quantity(c), 3, "acknowledged postings are missing after the power loss")

    def test_entry_index_converges_after_power_loss_while_catching_up(self):
        """Issue 14: power is lost while the entry index (written without syncs) catches up with the log. After the
        restart every acknowledged posting is there, the index converges to the log, and its pages equal those of
        whsed --no-index. Each power loss is followed by a simulated reboot (another WHSED_DEBUG_BOOT_ID): an index
        written during the boot before, not stopped cleanly, must be rebuilt, not trusted."""
        seed = int(os.environ.get("WHSED_POWERLOSS_SEED") or int(time.time() * 1000) % 1_000_000)
        rnd = random.Random(seed)
        fs, d = self.mount_and_daemon(seed)
        os.mkdir(d.state, 0o750)
        sync_directory(fs.mountpoint)
        book = Book()
        lags, reasons = [], []

        def post_for(seconds, prefix):
            stop = threading.Event()
            posters = [Poster(f"{prefix}c{i}", d.socket, stop) for i in range(CLIENTS)]
            for p in posters:
                p.start()
            time.sleep(seconds)
            return stop, posters

        def collect(stop, posters):
            stop.set()
            for p in posters:
                p.join(30)
                self.assertFalse(p.is_alive(), "a client thread did not end")
            self.assertEqual([x for p in posters for x in p.refused][:5], [], "postings refused with an error")
            acked = [k for p in posters for k in p.acked]
            unacked = [k for p in posters for k in p.unacked]
            book.acked.update(acked)
            book.unacked.update(unacked)
            book.sent.update(acked, unacked)

        def index(c):
            return c.ok("server.status")["index"]

        stage = "master data"
        try:
            d.start(args=[], env={"WHSED_DEBUG_BOOT_ID": "boot-0"})
            with d.connect() as c:
                setup_master_data(c)
            for r in range(1, 3):
                boot = {"WHSED_DEBUG_BOOT_ID": f"boot-{r}"}
                # The indexer paused: postings pile up in the log only.
                stage = f"round {r}: posting with the index paused"
                if r > 1:
                    d.start(args=[], env=dict(boot, WHSED_DEBUG_INDEX="pause"))
                    with d.connect(timeout=30) as c:
                        reasons.append(index(c)["lastRebuildReason"])
                        self.check_books(c, book, durable=True)
                else:
                    self.assertEqual(d.terminate(), 0, d.log())
                    d.start(args=[], env=dict(boot, WHSED_DEBUG_INDEX="pause"))
                collect(*post_for(rnd.uniform(0.8, 1.5), f"r{r}p"))
                self.assertEqual(d.terminate(), 0, d.log())
                # Started again with the indexer slow (100 entries per transaction, 50 ms apart): it catches up
                # while more postings come, and the power goes.
                stage = f"round {r}: power loss while the index catches up"
                d.start(args=[], env=dict(boot, WHSED_DEBUG_INDEX="slow"))
                stop, posters = post_for(rnd.uniform(0.3, 0.8), f"r{r}s")
                with d.connect(timeout=30) as c:
                    s = index(c)
                lags.append(s["lagEntries"]["warehouse"])
                self.assertGreater(s["lagEntries"]["warehouse"], 0, f"the index was not behind at the cut: {s}")
                if rnd.random() < 0.5:
                    fs.power_loss()
                    time.sleep(0.05)
                    self.assertIn(d.kill(), (-signal.SIGKILL, 74), d.log())
                else:
                    self.assertEqual(d.kill(), -signal.SIGKILL, d.log())
                    fs.power_loss()
                collect(stop, posters)
                fs.mount()
            # The reboot after the last power loss: the index is rebuilt or rechecked and catches up.
            stage = "final start-up"
            d.start(args=[], env={"WHSED_DEBUG_BOOT_ID": "boot-final"})
            with d.connect(timeout=30) as c:
                self.check_books(c, book, durable=True)
                deadline = time.monotonic() + 60
                while True:
                    s = index(c)
                    total = c.ok("server.status")
                    if s["state"] == "ready" and not any(s["lagEntries"].values()):
                        break
                    self.assertLess(time.monotonic(), deadline, f"the index did not catch up: {s}")
                    time.sleep(0.05)
                self.assertEqual(s["watermarks"]["warehouse"], total["warehouseEntries"])
                self.assertEqual(s["watermarks"]["item"], total["itemLedgerEntries"])
                reasons.append(s["lastRebuildReason"])
                self.assertEqual(s["rebuilds"], 1, f"the index written before the power loss was not rebuilt: {s}")
                keys = sorted(book.acked)
                queries = [("entries.warehouse", {"bin": "A-01", "location": "WH1"}),
                           ("entries.warehouse", {"item": "ITEM1", "limit": 37, "after": rnd.randint(0, 50)}),
                           ("entries.item", {"item": "ITEM1", "fromEntryNo": rnd.randint(1, 30)}),
                           ("entries.warehouse", {"bin": "ADJ", "toEntryNo": rnd.randint(10, 200)}),
                           ("entries.warehouse", {"item": "NONE"})]
                queries += [("entries.warehouse", {"documentNo": k}) for k in rnd.sample(keys, min(20, len(keys)))]
                queries += [("entries.item", {"documentNo": k}) for k in rnd.sample(keys, min(20, len(keys)))]
                with_index = [c.ok(m, p, id="q", timeout=30) for m, p in queries]
                self.assertGreater(index(c)["indexedQueries"], 40)
            self.assertEqual(d.terminate(), 0, d.log())
            stage = "the same pages with --no-index"
            d.start(args=["--no-index"], env={})
            with d.connect(timeout=30) as c:
                self.assertEqual([c.ok(m, p, id="q", timeout=30) for m, p in queries], with_index,
                                 "the index after the power losses answers otherwise than the scan")
            d.kill()
        except (AssertionError, MountFailed) as e:
            raise AssertionError(f"{stage} (seed {seed}, WHSED_POWERLOSS_SEED={seed} repeats it): {e}\n"
                                 f"{describe_power_loss(fs.last_stats)}\nlazyfs log:\n{fs.log()}") from e
        print(f"\n  index power loss: lag at the cuts {lags} warehouse entries, {len(book.acked)} postings, rebuild "
              f"reasons {reasons}; seed {seed}", end=" ")

    def test_history_files_and_index_survive_power_loss_at_checkpoints(self):
        """Issue 14: the power goes while a checkpoint appends entries to the history files (history/*.ent, synced
        by the snapshot thread) or while the entry index (never synced) catches up with them, with 100-line
        postings and a snapshot every 5 records, so that whole chunks of 4,096 entries go to the history files
        during the rounds. The cut comes at a random operation on the history files or on the index (lazyfs's
        countdown counting only those), then a reboot (another WHSED_DEBUG_BOOT_ID); the last round is a SIGKILL
        while the index catches up (no power loss: the index is kept). After each restart every acknowledged posting
        is there exactly once with all its lines, an unacknowledged one at most once, and server.verify is clean;
        at the end the index has caught up, equals one built by whsed --rebuild-index (rows and posting lists), and
        entries.* pages from it, from the rebuilt index and from the history files (--no-index) are the same and
        hold the expected entries."""
        seed = int(os.environ.get("WHSED_POWERLOSS_SEED") or int(time.time() * 1000) % 1_000_000)
        rnd = random.Random(seed)
        fs, d = self.mount_and_daemon(seed)
        os.mkdir(d.state, 0o750)
        sync_directory(fs.mountpoint)
        book = Book()
        args = ["--checkpoint-every", "5"]
        kinds = rnd.sample(["history", "history", "index"], 3) + ["kill"]
        cuts, reasons, lags = [], [], []

        def every_entry(c):
            out, after = [], 0
            while True:
                r = c.ok("entries.warehouse", {"after": after, "limit": 1000}, id="all", timeout=60)
                out += r["entries"]
                if r.get("nextAfter") is None:
                    return out
                after = r["nextAfter"]

        def check(c):
            """Every acknowledged posting exactly once with its JOURNAL_LINES lines, none never sent; unacknowledged
            ones retried (a replay exactly when present); the bins' sums; server.verify clean. Returns every entry."""
            every = every_entry(c)
            self.assertEqual([e["entryNo"] for e in every], list(range(1, len(every) + 1)), "entry numbers")
            lines = collections.Counter(e["documentNo"] for e in every if e["bin"] in ("A-01", "B-02"))
            self.assertEqual(sorted(k for k in lines if k not in book.sent)[:10], [], "postings never sent")
            self.assertEqual(sorted((k, n) for k, n in lines.items() if n != JOURNAL_LINES)[:10], [],
                             "postings present with a wrong number of lines (twice, or torn)")
            missing = sorted(k for k in book.acked if lines[k] == 0)
            self.assertEqual(missing[:10], [], f"{len(missing)} of {len(book.acked)} acknowledged postings are "
                                               f"missing after the power loss")
            retried = bool(book.unacked)
            for k in sorted(book.unacked):
                r = c.rpc("whseItemJournal.register", journal_posting(k), id=k, timeout=30)
                res = self.assertResult(r, id=k, msg=f"retrying unacknowledged posting {k}")
                self.assertEqual(bool(res.get("replayed")), lines[k] > 0, f"retry of {k}: {r!r}")
                book.acked.add(k)
            book.unacked.clear()
            half = JOURNAL_LINES // 2 * len(book.acked)
            self.assertEqual((bin_quantity(c), bin_quantity(c, bin="B-02"), bin_quantity(c, bin="ADJ")),
                             (half, half, -2 * half), "bin contents")
            v = c.ok("server.verify", id="verify", timeout=60)
            self.assertIs(v.get("ok"), True, f"server.verify after the power loss: {v!r}")
            return every_entry(c) if retried else every

        def status(c):
            return c.ok("server.status")

        stage = "master data"
        try:
            boot = 0
            d.start(args=args, env={"WHSED_DEBUG_BOOT_ID": f"boot-{boot}"})
            with d.connect() as c:
                setup_master_data(c)
            for r, kind in enumerate(kinds, 1):
                stage = f"round {r} ({kind}): start-up"
                env = {"WHSED_DEBUG_BOOT_ID": f"boot-{boot}"}
                if kind in ("index", "kill") or rnd.random() < 0.5:
                    env["WHSED_DEBUG_INDEX"] = "slow"   # 100 entries per transaction, 50 ms apart
                if r > 1:
                    d.start(args=args, env=env)
                    with d.connect(timeout=30) as c:
                        stage = f"round {r} ({kind}): books after the power loss"
                        check(c)
                        reasons.append(status(c)["index"]["lastRebuildReason"])
                else:
                    self.assertEqual(d.terminate(), 0, d.log())
                    d.start(args=args, env=env)
                if kind == "kill":
                    # The index rebuilt after the power loss before (another boot) is in place: the SIGKILL comes
                    # while it follows the log, not while it is rebuilt.
                    stage = f"round {r} ({kind}): waiting for the index"
                    with d.connect(timeout=30) as c:
                        deadline = time.monotonic() + 60
                        while status(c)["index"]["state"] != "ready":
                            self.assertLess(time.monotonic(), deadline, "the index was not rebuilt")
                            time.sleep(0.05)
                stage = f"round {r} ({kind}): posting"
                stop = threading.Event()
                posters = [Poster(f"r{r}c{i}", d.socket, stop, journal_posting) for i in range(3)]
                for p in posters:
                    p.start()
                if kind == "kill":
                    time.sleep(rnd.uniform(1.0, 2.0))
                    with d.connect(timeout=30) as c:
                        lags.append(status(c)["index"]["lagEntries"]["warehouse"])
                    self.assertGreater(lags[-1], 0, "the index was not behind at the SIGKILL")
                    self.assertEqual(d.kill(), -signal.SIGKILL, d.log())
                else:
                    # The power goes at the Nth operation on the history files (a checkpoint's append: create,
                    # write, fdatasync, fsync of history/) or on the index (SQLite's unsynced writes), or after 30 s.
                    fs.arm(rnd.randint(1, 6) if kind == "history" else rnd.randint(1, 60), within=kind)
                    stats = fs.wait_armed(30)
                    cuts.append(stats["at"])
                    time.sleep(0.05)
                    self.assertIn(d.kill(), (-signal.SIGKILL, 74), f"whsed's exit status after the cut: {d.log()}")
                stop.set()
                for p in posters:
                    p.join(30)
                    self.assertFalse(p.is_alive(), "a client thread did not end")
                self.assertEqual([x for p in posters for x in p.refused][:5], [], "postings refused with an error")
                self.assertEqual([k for p in posters for k in p.timeouts][:5], [], "postings without an answer")
                acked = [k for p in posters for k in p.acked]
                unacked = [k for p in posters for k in p.unacked]
                self.assertGreater(len(acked), 0, f"round {r}: nothing was acknowledged")
                book.acked.update(acked)
                book.unacked.update(unacked)
                book.sent.update(acked, unacked)
                if kind != "kill":
                    fs.mount()
                    boot += 1   # the machine restarted
            self.assertTrue(any(" /state/history/" in at for at in cuts), f"no cut came at the history files: {cuts}")

            # After the SIGKILL (same boot): the index written before it is kept and catches up.
            stage = "final start-up"
            d.start(args=args, env={"WHSED_DEBUG_BOOT_ID": f"boot-{boot}"})
            with d.connect(timeout=30) as c:
                every = check(c)
                # The rounds' checkpoints may all have been cut short: this one writes the history files, so that the
                # pages below read old entries from them.
                c.ok("server.checkpoint", id="cp", timeout=120)
                deadline = time.monotonic() + 120
                while True:
                    s = status(c)
                    if s["index"]["state"] == "ready" and not any(s["index"]["lagEntries"].values()):
                        break
                    self.assertLess(time.monotonic(), deadline, f"the index did not catch up: {s['index']}")
                    time.sleep(0.05)
                self.assertEqual(s["index"]["rebuilds"], 0, f"the index kept after a SIGKILL was rebuilt: {s}")
                self.assertEqual(s["index"]["watermarks"]["warehouse"], s["warehouseEntries"])
                self.assertEqual(s["index"]["watermarks"]["item"], s["itemLedgerEntries"])
                self.assertGreaterEqual(s["history"]["entries"]["warehouse"], 4096, f"no history files: {s}")
                total = s["warehouseEntries"]
                self.assertEqual(len(every), total)
                keys = sorted(book.acked)
                sample = rnd.sample(keys, min(25, len(keys)))
                types = sorted({e["entryType"] for e in every})
                dates = sorted({e["registeringDate"] for e in every})
                queries = [("entries.warehouse", {"documentNo": k}) for k in sample]
                queries += [("entries.item", {"documentNo": k}) for k in sample[:10]]
                queries += [("entries.warehouse", {"bin": "B-02", "location": "WH1", "after": rnd.randint(0, total)}),
                            ("entries.warehouse", {"item": "ITEM1", "limit": 1000, "after": rnd.randint(0, total)}),
                            ("entries.warehouse", {"bin": "ADJ", "toEntryNo": rnd.randint(1, total)}),
                            ("entries.item", {"item": "ITEM1", "fromEntryNo": rnd.randint(1, total // 2)}),
                            ("entries.warehouse", {"item": "NONE"})]
                queries += [("entries.warehouse", {"entryType": t, "after": rnd.randint(0, total)}) for t in types]
                queries += [("entries.warehouse", {"fromDate": dates[0], "toDate": dates[-1], "limit": 500,
                                                   "after": rnd.randint(0, total)}),
                            ("entries.warehouse", {"fromDate": "2099-01-01"})]
                before = s["index"]["indexedQueries"]
                with_index = [c.ok(m, p, id="q", timeout=60) for m, p in queries]
                self.assertGreaterEqual(status(c)["index"]["indexedQueries"] - before, len(sample) + 15)
                # The expected entries: each posting's 200, as the scan of every entry lists them.
                by_doc = collections.defaultdict(list)
                for e in every:
                    by_doc[e["documentNo"]].append(e)
                for (m, p), got in zip(queries, with_index):
                    if m == "entries.warehouse" and list(p) == ["documentNo"]:
                        self.assertEqual(got["entries"][:100], by_doc[p["documentNo"]][:100], p)
                        self.assertEqual(len(by_doc[p["documentNo"]]), 2 * JOURNAL_LINES, p)
            self.assertEqual(d.terminate(), 0, d.log())
            index_path = os.path.join(d.state, "index", "entries.sqlite")
            converged = dump(index_path)
            stage = "whsed --rebuild-index"
            r = subprocess.run([self.binary, "--rebuild-index", d.state], capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(dump(index_path), converged, "the index after the crashes differs from a rebuilt one")
            d.start(args=args, env={"WHSED_DEBUG_BOOT_ID": f"boot-{boot}"})
            with d.connect(timeout=30) as c:
                self.assertEqual(status(c)["index"]["rebuilds"], 0)
                self.assertEqual([c.ok(m, p, id="q", timeout=60) for m, p in queries], with_index,
                                 "the rebuilt index answers otherwise")
            self.assertEqual(d.terminate(), 0, d.log())
            stage = "the same pages with --no-index (from the history files)"
            d.start(args=["--no-index"], env={})
            with d.connect(timeout=30) as c:
                self.assertEqual([c.ok(m, p, id="q", timeout=60) for m, p in queries], with_index,
                                 "the history files scanned answer otherwise than the index")
            d.kill()
        except (AssertionError, MountFailed) as e:
            raise AssertionError(f"{stage} (seed {seed}, WHSED_POWERLOSS_SEED={seed} repeats it): {e}\n"
                                 f"{describe_power_loss(fs.last_stats)}\nlazyfs log:\n{fs.log()}") from e
        print(f"\n  history power loss: cuts at {cuts}, index lag at the SIGKILL {lags} warehouse entries, "
              f"{len(book.acked)} postings ({len(every)} warehouse entries), rebuild reasons {reasons}; seed {seed}",
              end=" ")

    def test_harness_catches_a_build_without_fdatasync(self):
        so = self.build_nosync()
        started = time.monotonic()
        rounds = min(ROUNDS, 3)
        fig = self.power_loss_loop(rounds, env={"LD_PRELOAD": so}, durable=False)
        self.assertGreater(fig["acked"], 0, f"nothing was acknowledged under nosync.so: {fig}")
        self.assertGreater(fig["lost"], 0, f"no acknowledged posting was lost although whsed never synced: the "
                                           f"power-loss harness would not catch a missing fdatasync: {fig}")
        print(f"\n  power loss under nosync.so: {summary(fig)}; {time.monotonic() - started:.1f}s", end=" ")


if __name__ == "__main__":
    unittest.main()
