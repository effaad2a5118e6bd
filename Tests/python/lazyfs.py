#!/usr/bin/env python3
"""lazyfs: a FUSE passthrough that forgets what was not synced, for power-loss tests (RELIABILITY B.3c).

Adapted from the appendix's fuse/lazyfs.py, with directory entries made lazy too:

- File data: every write, truncate and fallocate of a regular file is kept in memory (per inode) and is seen by
  reads and stat through the mount, but reaches the backing folder only at fsync/fdatasync of that file (either
  one: both make data and size durable here).
- Directory entries: create, mkdir, unlink, rmdir and rename are done on the backing folder at once (so the mount
  shows them), but each is journalled with its undo steps until every directory it changed has been fsynced
  (fsyncdir). A file's own fsync does not make its name durable.
- Power loss: creating the file `.lazyfs-crash` in the mount root drops every unsynced write, undoes every
  uncommitted directory change (newest first), writes what it did as one JSON object to the --stats file and ends
  the process at once (the mount is then dead: unmount it, e.g. `umount -l MOUNTPOINT`). The backing folder holds
  exactly what an ideal disk would after a power cut. Mount the backing folder again to "reboot".
  Creating `.lazyfs-crash-after-N` instead arms a countdown: the power loss comes just before the Nth following
  write, truncate, fallocate, fsync, fsyncdir, create, mkdir, unlink, rmdir or rename (which is not done), so it
  lands on a random file-system operation rather than a random time. `.lazyfs-crash-after-N-in-NAME` counts only
  the operations on a path with a component NAME (e.g. `history`: the power loss comes at the Nth operation on
  the history files or their folder).
  With --mode tear, unsynced writes are instead each applied, dropped or torn at a 512-byte boundary (sometimes
  followed by a garbage sector), SQLite test6.c style, as the appendix did; unsynced truncations are dropped and
  directory changes undone as in the default mode (drop).

Limits: single-threaded, Python speed, for tests of tens of MB. Hard links, symlinks, device nodes, xattrs and
renames of directories that hold uncommitted changes are not modelled (the first four are refused). flock and
POSIX locks are left to the kernel (local to this mount). The names `/.lazyfs*` in the mount root are reserved.

Usage: lazyfs.py BACKING_DIR MOUNTPOINT [--seed N] [--stats FILE] [--mode drop|tear]
Needs fusepy (Debian: python3-fusepy, module `fusepy`; PyPI: fusepy, module `fuse`) and libfuse2; run as root or
with fusermount.
"""

import argparse
import collections
import ctypes
import errno
import importlib.util
import json
import os
import posixpath
import random
import shutil
import stat as stmod
import sys

SECTOR = 512
CRASH_NAME = "/.lazyfs-crash"
CRASH_AFTER_PREFIX = "/.lazyfs-crash-after-"
GRAVE_NAME = ".lazyfs-grave"   # in the backing root: unlinked and replaced entries, until their removal is durable
DEBIAN_FUSEPY = "/usr/lib/python3/dist-packages/fusepy.py"
FALLOC_FL_KEEP_SIZE = 0x01


def load_fusepy():
    """The fusepy module: PyPI's `fuse`, Debian's `fusepy`, or Debian's file loaded by path (for a Python that does
    not see /usr/lib/python3/dist-packages, e.g. pyenv). Raises ImportError with the reason when none works."""
    errors = []
    for name in ("fuse", "fusepy"):
        try:
            mod = __import__(name)
        except (ImportError, OSError, EnvironmentError) as e:   # fusepy raises EnvironmentError without libfuse
            errors.append(f"{name}: {e}")
            continue
        if hasattr(mod, "FUSE") and hasattr(mod, "Operations") and hasattr(mod, "fuse_operations"):
            return mod
        errors.append(f"{name}: not fusepy (no FUSE/Operations/fuse_operations)")
    if os.path.exists(DEBIAN_FUSEPY):
        try:
            spec = importlib.util.spec_from_file_location("fusepy", DEBIAN_FUSEPY)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            sys.modules.setdefault("fusepy", mod)
            return mod
        except Exception as e:   # noqa: BLE001 - any failure means "not usable"
            errors.append(f"{DEBIAN_FUSEPY}: {e}")
    raise ImportError("fusepy is not usable (" + "; ".join(errors) + ")")


class Pending:
    """Unsynced changes of one inode. The mount shows: the backing file's first `base` bytes, zeros up to `size`,
    and `writes` on top in order (each already cut to the truncations that followed it)."""

    __slots__ = ("fd", "base", "size", "writes")

    def __init__(self, fd, backing_size):
        self.fd = fd                    # our own dup of a backing descriptor: survives renames and closes
        self.base = backing_size
        self.size = backing_size
        self.writes = []                # [(offset, bytes)]

    def write(self, offset, data):
        if data:
            self.writes.append((offset, data))
            self.size = max(self.size, offset + len(data))

    def truncate(self, length):
        if length < self.size:
            self.base = min(self.base, length)
            kept = []
            for off, data in self.writes:
                if off < length:
                    kept.append((off, data[:length - off]))
            self.writes = kept
        self.size = length

    def read(self, offset, size):
        end = min(offset + size, self.size)
        if offset >= end:
            return b""
        buf = bytearray(end - offset)
        visible = min(self.base, end)
        if offset < visible:
            data = os.pread(self.fd, visible - offset, offset)
            buf[:len(data)] = data
        for off, data in self.writes:
            lo, hi = max(off, offset), min(off + len(data), end)
            if lo < hi:
                buf[lo - offset:hi - offset] = data[lo - off:hi - off]
        return bytes(buf)

    def pending_bytes(self):
        return sum(len(d) for _, d in self.writes)


def make_operations(fusepy):
    FuseOSError = fusepy.FuseOSError

    class LazyFS(fusepy.Operations):
        use_ns = True

        def __init__(self, root, seed, mode, stats_path):
            self.root = os.path.realpath(root)
            self.grave = os.path.join(self.root, GRAVE_NAME)
            shutil.rmtree(self.grave, ignore_errors=True)   # removals made durable in an earlier mount
            os.mkdir(self.grave)
            self.rng = random.Random(seed)
            self.mode = mode
            self.stats_path = stats_path
            self.pending = {}       # backing inode -> Pending
            self.fh_ino = {}        # our file handle (a backing fd) -> backing inode
            self.journal = []       # uncommitted directory changes: {"op", "dirs" not yet fsynced, "undo", "graves"}
            self.graves = 0
            self.countdown = None   # operations left before an armed power loss
            self.countdown_in = None   # a path component the counted operations must have (None: all count)
            self.trace = collections.deque(maxlen=40)   # the last changing operations, for the power-loss summary
            self.counts = {"write": 0, "fsync": 0, "fsyncdir": 0, "fallocate": 0, "truncate": 0, "rename": 0,
                           "create": 0, "unlink": 0, "mkdir": 0, "rmdir": 0}

        # --- helpers ------------------------------------------------------------------------------------------
        def _full(self, path):
            return os.path.join(self.root, path.lstrip("/"))

        @staticmethod
        def _reserved(path):
            return path.startswith("/.lazyfs")

        def _check(self, path):
            if self._reserved(path):
                raise FuseOSError(errno.ENOENT)

        def _grave(self):
            self.graves += 1
            return os.path.join(self.grave, str(self.graves))

        def _log(self, op, dirs, undo, graves=()):
            self.journal.append({"op": op, "dirs": set(dirs), "undo": list(undo), "graves": list(graves)})

        def _state(self, fh):
            """The Pending of the inode behind our handle `fh`, made on first use."""
            ino = self.fh_ino.get(fh)
            if ino is None:
                ino = os.fstat(fh).st_ino
                self.fh_ino[fh] = ino
            p = self.pending.get(ino)
            if p is None:
                p = Pending(os.dup(fh), os.fstat(fh).st_size)
                self.pending[ino] = p
            return p

        def _open_backing(self, full, flags, mode=None):
            # Always read-write when possible: unsynced data is read back and later written from our own handle.
            extra = flags & (os.O_CREAT | os.O_EXCL)
            try:
                return os.open(full, os.O_RDWR | extra, mode if mode is not None else 0o666)
            except (PermissionError, IsADirectoryError):
                return os.open(full, (flags & os.O_ACCMODE) | extra, mode if mode is not None else 0o666)

        def _flush(self, ino):
            p = self.pending.pop(ino, None)
            if p is None:
                return
            try:
                if p.base < os.fstat(p.fd).st_size:
                    os.ftruncate(p.fd, p.base)
                for off, data in p.writes:
                    os.pwrite(p.fd, data, off)
                if os.fstat(p.fd).st_size != p.size:
                    os.ftruncate(p.fd, p.size)   # sparse: fallocated space reads as zeros all the same
            finally:
                os.close(p.fd)

        def _tick(self, op, path, *detail):
            """Notes a changing operation and counts it down to an armed power loss, which comes before it."""
            self.trace.append(" ".join([op, path] + [str(d) for d in detail]))
            if self.countdown is not None and (self.countdown_in is None
                                               or self.countdown_in in path.replace(" -> ", "/").split("/")):
                self.countdown -= 1
                if self.countdown <= 0:
                    self._crash(f"{op} {path}")

        # --- power loss ---------------------------------------------------------------------------------------
        def _crash(self, at="on request"):
            stats = {"mode": self.mode, "at": at, "pending_files": len(self.pending),
                     "pending_writes": sum(len(p.writes) for p in self.pending.values()),
                     "pending_bytes": sum(p.pending_bytes() for p in self.pending.values()),
                     "applied_writes": 0, "torn_writes": 0, "undone_dir_ops": 0, "undo_errors": [],
                     "undone": [], "writes": [], "trace": list(self.trace), "counts": self.counts}
            for ino, p in self.pending.items():
                for off, data in p.writes:
                    action = self.rng.choice(["apply", "drop", "tear"]) if self.mode == "tear" else "drop"
                    note = {"inode": ino, "offset": off, "bytes": len(data), "action": action}
                    if action == "apply":
                        os.pwrite(p.fd, data, off)
                        stats["applied_writes"] += 1
                    elif action == "tear":
                        cut = self.rng.randrange(0, len(data) + 1)
                        keep = max(0, ((off + cut) // SECTOR) * SECTOR - off)
                        os.pwrite(p.fd, data[:keep], off)
                        note["kept"] = keep
                        if self.rng.random() < 0.5 and keep < len(data):   # a garbage sector after the cut
                            note["garbage"] = min(SECTOR, len(data) - keep)
                            os.pwrite(p.fd, os.urandom(note["garbage"]), off + keep)
                        stats["torn_writes"] += 1
                    if len(stats["writes"]) < 100:
                        stats["writes"].append(note)
            for p in self.pending.values():
                os.close(p.fd)
            self.pending.clear()
            for entry in reversed(self.journal):
                stats["undone_dir_ops"] += 1
                stats["undone"].append(entry["op"])
                for step in entry["undo"]:
                    try:
                        self._undo(step)
                    except OSError as e:
                        stats["undo_errors"].append(f"{step}: {e}")
            self.journal.clear()
            shutil.rmtree(self.grave, ignore_errors=True)
            if self.stats_path:
                tmp = self.stats_path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(stats, f)
                os.rename(tmp, self.stats_path)
            os._exit(0)

        def _undo(self, step):
            kind = step[0]
            if kind == "remove":          # a create or mkdir that did not become durable
                full = self._full(step[1])
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                elif os.path.lexists(full):
                    os.unlink(full)
            elif kind == "move":          # a rename that did not become durable: move back
                os.rename(self._full(step[1]), self._full(step[2]))
            elif kind == "restore":       # an unlinked or replaced entry comes back
                os.rename(step[1], self._full(step[2]))

        # --- metadata -----------------------------------------------------------------------------------------
        def getattr(self, path, fh=None):
            if path.startswith(CRASH_AFTER_PREFIX) and self.countdown is not None:
                return {"st_mode": stmod.S_IFREG | 0o600, "st_nlink": 1, "st_size": 0}   # the armed control file
            self._check(path)
            try:
                st = os.fstat(fh) if isinstance(fh, int) else os.lstat(self._full(path))
            except FileNotFoundError:
                raise FuseOSError(errno.ENOENT)
            d = {k: getattr(st, k) for k in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size",
                                             "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blocks")}
            for k in ("st_atime", "st_mtime", "st_ctime"):
                d[k] = d.pop(k + "_ns")
            if stmod.S_ISREG(st.st_mode):
                p = self.pending.get(st.st_ino)
                if p is not None:
                    d["st_size"] = p.size
                    d["st_blocks"] = (p.size + 511) // 512
            return d

        def readdir(self, path, fh):
            self._check(path)
            names = os.listdir(self._full(path))
            if path == "/":
                names = [n for n in names if not n.startswith(".lazyfs")]
            return [".", ".."] + names

        def access(self, path, amode):
            self._check(path)
            if not os.access(self._full(path), amode):
                raise FuseOSError(errno.EACCES)

        def statfs(self, path):
            sv = os.statvfs(self._full(path))
            return {k: getattr(sv, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                                "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

        def chmod(self, path, mode):
            self._check(path)
            os.chmod(self._full(path), mode)

        def chown(self, path, uid, gid):
            self._check(path)
            os.chown(self._full(path), uid, gid)

        def utimens(self, path, times=None):
            self._check(path)
            os.utime(self._full(path), ns=times) if times else os.utime(self._full(path))

        def readlink(self, path):
            self._check(path)
            return os.readlink(self._full(path))

        # --- directory entries (journalled until fsyncdir) --------------------------------------------------------
        def mkdir(self, path, mode):
            self._check(path)
            self._tick("mkdir", path)
            os.mkdir(self._full(path), mode)
            self.counts["mkdir"] += 1
            self._log(f"mkdir {path}", [posixpath.dirname(path)], [("remove", path)])

        def rmdir(self, path):
            self._check(path)
            full = self._full(path)
            if not os.path.isdir(full):
                raise FuseOSError(errno.ENOTDIR)
            if os.listdir(full):
                raise FuseOSError(errno.ENOTEMPTY)
            self._tick("rmdir", path)
            g = self._grave()
            os.rename(full, g)
            self.counts["rmdir"] += 1
            self._log(f"rmdir {path}", [posixpath.dirname(path)], [("restore", g, path)], [g])

        def unlink(self, path):
            self._check(path)
            full = self._full(path)
            if os.path.isdir(full) and not os.path.islink(full):
                raise FuseOSError(errno.EISDIR)
            self._tick("unlink", path)
            g = self._grave()
            os.rename(full, g)
            self.counts["unlink"] += 1
            self._log(f"unlink {path}", [posixpath.dirname(path)], [("restore", g, path)], [g])

        def rename(self, old, new):
            self._check(old)
            self._check(new)
            fo, fn = self._full(old), self._full(new)
            if not os.path.lexists(fo):
                raise FuseOSError(errno.ENOENT)
            self._tick("rename", f"{old} -> {new}")
            undo, graves = [("move", new, old)], []
            if os.path.lexists(fn):
                if os.path.samefile(fo, fn):
                    return 0
                if os.path.isdir(fn) and os.listdir(fn):
                    raise FuseOSError(errno.ENOTEMPTY)
                g = self._grave()
                os.rename(fn, g)
                undo.append(("restore", g, new))
                graves.append(g)
            os.rename(fo, fn)
            self.counts["rename"] += 1
            self._log(f"rename {old} -> {new}", [posixpath.dirname(old), posixpath.dirname(new)], undo, graves)

        def fsyncdir(self, path, datasync, fh):
            self._tick("fsyncdir", path)
            self.counts["fsyncdir"] += 1
            kept = []
            for entry in self.journal:
                entry["dirs"].discard(path)
                if entry["dirs"]:
                    kept.append(entry)
                else:   # durable: removed entries are gone for good
                    for g in entry["graves"]:
                        if os.path.isdir(g) and not os.path.islink(g):
                            shutil.rmtree(g, ignore_errors=True)
                        elif os.path.lexists(g):
                            os.unlink(g)
            self.journal = kept
            return 0

        def symlink(self, target, source):
            raise FuseOSError(errno.EPERM)

        def link(self, target, source):
            raise FuseOSError(errno.EPERM)

        def mknod(self, path, mode, dev):
            raise FuseOSError(errno.EPERM)

        # --- files ----------------------------------------------------------------------------------------------
        def create(self, path, mode, fi=None):
            if path == CRASH_NAME:
                self._crash()
            if path.startswith(CRASH_AFTER_PREFIX):
                count, _, within = path[len(CRASH_AFTER_PREFIX):].partition("-in-")
                try:
                    self.countdown = int(count)
                    self.countdown_in = within or None
                except ValueError:
                    raise FuseOSError(errno.EINVAL)
                return os.open(os.devnull, os.O_RDWR)
            self._check(path)
            self._tick("create", path)
            full = self._full(path)
            existed = os.path.lexists(full)
            fh = self._open_backing(full, os.O_CREAT, mode)
            if not existed:
                self.counts["create"] += 1
                self._log(f"create {path}", [posixpath.dirname(path)], [("remove", path)])
            self.fh_ino[fh] = os.fstat(fh).st_ino
            self.trace.append(f"  (created fh={fh} ino={self.fh_ino[fh]})")
            return fh

        def open(self, path, flags):
            self._check(path)
            fh = self._open_backing(self._full(path), flags & ~(os.O_CREAT | os.O_EXCL))
            self.fh_ino[fh] = os.fstat(fh).st_ino
            self.trace.append(f"open {path} fh={fh} ino={self.fh_ino[fh]}")
            return fh

        def read(self, path, size, offset, fh):
            ino = self.fh_ino.get(fh)
            p = self.pending.get(ino) if ino is not None else None
            if p is None:
                return os.pread(fh, size, offset)
            return p.read(offset, size)

        def write(self, path, data, offset, fh):
            self._tick("write", path, f"fh={fh}", f"ino={self.fh_ino.get(fh)}", f"at={offset}", f"bytes={len(data)}")
            self.counts["write"] += 1
            self._state(fh).write(offset, bytes(data))
            return len(data)

        def truncate(self, path, length, fh=None):
            self._check(path)
            self._tick("truncate", path, f"fh={fh}", f"to={length}")
            self.counts["truncate"] += 1
            if not isinstance(fh, int):
                tmp = self._open_backing(self._full(path), os.O_WRONLY)
                try:
                    self._state(tmp).truncate(length)
                finally:
                    self.fh_ino.pop(tmp, None)
                    os.close(tmp)
            else:
                self._state(fh).truncate(length)

        def fallocate(self, path, mode, offset, length, fh):
            self._tick("fallocate", path, f"fh={fh}", f"mode={mode}", f"at={offset}", f"bytes={length}")
            self.counts["fallocate"] += 1
            if mode & ~FALLOC_FL_KEEP_SIZE:
                raise FuseOSError(errno.EOPNOTSUPP)   # punch hole, zero range, ...: not modelled
            if offset < 0 or length <= 0:
                raise FuseOSError(errno.EINVAL)
            p = self._state(fh)
            if not mode & FALLOC_FL_KEEP_SIZE and offset + length > p.size:
                p.truncate(offset + length)
            return 0

        def fsync(self, path, datasync, fh):
            self._tick("fsync", path, f"fh={fh}", f"ino={self.fh_ino.get(fh)}",
                       f"pending={sorted(self.pending)}")
            self.counts["fsync"] += 1
            ino = self.fh_ino.get(fh)
            if ino is None:
                ino = os.fstat(fh).st_ino
            self._flush(ino)
            return 0

        def flush(self, path, fh):
            return 0

        def release(self, path, fh):
            self.trace.append(f"release {path} fh={fh} ino={self.fh_ino.get(fh)}")
            self.fh_ino.pop(fh, None)
            os.close(fh)
            return 0

    return LazyFS


def make_fuse(fusepy):
    """fusepy's FUSE with `fallocate` added: fusepy 3.0's fuse_operations stops at ioctl, and without fallocate
    the kernel answers EOPNOTSUPP and glibc's posix_fallocate falls back to writing every 4 KiB block."""
    base = fusepy.fuse_operations
    c_off_t = fusepy.c_off_t
    fi_ptr = ctypes.POINTER(fusepy.fuse_file_info)
    names = [f[0] for f in base._fields_]
    if "fallocate" not in names:
        fields = list(base._fields_)
        if "poll" not in names:
            fields += [("poll", ctypes.c_void_p), ("write_buf", ctypes.c_void_p), ("read_buf", ctypes.c_void_p),
                       ("flock", ctypes.c_void_p)]
        fields.append(("fallocate", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_int, c_off_t,
                                                     c_off_t, fi_ptr)))

        class fuse_operations_ext(ctypes.Structure):
            _fields_ = fields
        fusepy.fuse_operations = fuse_operations_ext

    class LazyFUSE(fusepy.FUSE):
        def fallocate(self, path, mode, offset, length, fip):
            fh = fip.contents.fh if fip else None
            return self.operations("fallocate", self._decode_optional_path(path), mode, offset, length, fh)

    return LazyFUSE


def main(argv=None):
    ap = argparse.ArgumentParser(description="FUSE passthrough that drops unsynced data on a simulated power loss")
    ap.add_argument("backing")
    ap.add_argument("mountpoint")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stats", default=None, help="file that receives a JSON summary at the simulated power loss")
    ap.add_argument("--mode", choices=("drop", "tear"), default="drop")
    args = ap.parse_args(argv)
    fusepy = load_fusepy()
    ops = make_operations(fusepy)(args.backing, args.seed, args.mode, args.stats)
    make_fuse(fusepy)(ops, args.mountpoint, foreground=True, nothreads=True, big_writes=True, max_write=131072,
                      fsname="lazyfs")


if __name__ == "__main__":
    main()
