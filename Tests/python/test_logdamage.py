"""Damage and foreign formats in the state folder, against a real whsed process (issue #12, items 2 and 11):

- a bit flipped in the last acknowledged record (a commit marker follows it) makes whsed refuse to start, naming the
  segment and the byte offset; `whsed --verify` says the same;
- a torn tail (the rest of a write that no commit marker ends) is cut at start-up, its bytes kept in
  `<segment>.cut-<offset>`, logged at error level, and reported by `server.status` (`log.cutTail`, `log.cutFiles`)
  and `whsed --verify` (exit status 3);
- a segment, snapshot or snapshot state version newer than this build reads stops start-up with the file and the
  versions it reads, without calling it corrupt or pointing at --repair;
- the snapshot at a clean stop that fails on a full disk is logged (enospc.c, limited to the state folder);
- an ENOSPC from fdatasync is fatal (exit 74, nothing acknowledged after it), as protocol.md section 10 says.

The segment layout is docs/on-disk-format.md section 3: a 24-byte header, then 8-aligned frames (length u32,
sequence u64, CRC-32C u32, payload, zero padding); a length of 0xFFFFFFFF is a 24-byte commit marker.
"""

import os
import struct
import subprocess

from harness import WHSED, DaemonTestCase, bin_quantity, posting, setup_master_data

MARKER = 0xFFFFFFFF


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frames(path):
    """(offset, 'record' | 'marker', sequence, length) of every valid frame of a segment, and the offset after them."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"WHSEDLOG", path
    off = 24
    out = []
    while off + 16 <= len(data):
        length, seq, crc = struct.unpack_from("<IQI", data, off)
        if length == MARKER:
            if crc != crc32c(data[off:off + 12] + data[off + 16:off + 24]):
                break
            out.append((off, "marker", seq, 8))
            off += 24
            continue
        if length == 0 or off + 16 + length > len(data):
            break
        if crc != crc32c(data[off:off + 12] + data[off + 16:off + 16 + length]):
            break
        out.append((off, "record", seq, length))
        off += (16 + length + 7) & ~7
    return out, off


def last_segment(state):
    names = sorted(n for n in os.listdir(state) if n.startswith("log-") and n.endswith(".wal"))
    return os.path.join(state, names[-1])


def snapshot_file(state):
    names = sorted(n for n in os.listdir(state) if n.startswith("snapshot-") and n.endswith(".snap"))
    assert names, f"no snapshot in {state}: {os.listdir(state)}"
    return os.path.join(state, names[-1])


def patch(path, offset, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, data, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def verify(state):
    r = subprocess.run([WHSED, "--verify", state], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    return r.returncode, r.stdout + r.stderr


class LogDamage(DaemonTestCase):

    def posted_then_killed(self, n=3, args=("--checkpoint-every", "0")):
        """A whsed that acknowledged master data and n postings, then SIGKILL: everything is in the log only."""
        d = self.start_daemon(list(args))
        with d.connect() as c:
            setup_master_data(c)
            for i in range(n):
                c.ok("whseItemJournal.register", posting(f"p{i}"))
        d.kill()
        return d

    def start_refused(self, d):
        """Starts whsed on its folder, expects it to exit (not serve); returns (status, log)."""
        d.start(wait=False)
        status = d.wait_exit(60)
        if status is None:
            d.kill()
            self.fail(f"whsed started although it should refuse; log:\n{d.log()}")
        return status, d.log()

    def test_bit_flip_in_the_last_acknowledged_record_refuses_start_naming_file_and_offset(self):
        d = self.posted_then_killed()
        seg = last_segment(d.state)
        fr, end = frames(seg)
        self.assertEqual(fr[-1][1], "marker", f"the last acknowledged write ends with a commit marker: {fr[-3:]}")
        off, kind, seq, length = [x for x in fr if x[1] == "record"][-1]
        with open(seg, "rb") as f:
            original = f.read()
        patch(seg, off + 16 + length // 2, bytes([original[off + 16 + length // 2] ^ 0x08]))
        with open(seg, "rb") as f:
            damaged = f.read()

        status, log = self.start_refused(d)
        self.assertEqual(status, 65, f"exit status; log:\n{log}")
        self.assertIn(seg, log)
        self.assertIn(f"offset {off}", log)
        self.assertIn("commit marker", log)
        code, out = verify(d.state)
        self.assertEqual(code, 2, out)
        self.assertIn(seg, out)
        self.assertIn(f"offset {off}", out)
        # Nothing was cut or kept aside: the record is left for the operator (restore or --repair).
        with open(seg, "rb") as f:
            self.assertEqual(f.read(), damaged)
        self.assertEqual([n for n in os.listdir(d.state) if ".cut-" in n], [])

    def test_torn_tail_is_cut_kept_and_reported_by_status_and_verify(self):
        d = self.posted_then_killed()
        seg = last_segment(d.state)
        fr, end = frames(seg)
        last_seq = max(x[2] for x in fr if x[1] == "record")
        # The start of the next write, cut short by the crash: a record header and part of its payload, no marker.
        header = struct.pack("<IQI", 200, last_seq + 1, 0x12345678)
        torn = header + bytes((i % 250) + 1 for i in range(50))
        patch(seg, end, torn)

        code, out = verify(d.state)
        self.assertEqual(code, 3, out)
        self.assertIn("warning: torn tail", out)
        self.assertIn(f"{seg} has {len(torn)} bytes from offset {end}", out)
        self.assertNotIn("ok:", out)

        d.start()
        log = d.log()
        self.assertIn(f"error: cut a torn tail of {len(torn)} bytes from {seg} at offset {end}", log)
        kept = f"{seg}.cut-{end}"
        with open(kept, "rb") as f:
            self.assertEqual(f.read(), torn)
        with d.connect() as c:
            st = c.ok("server.status")["log"]
            self.assertEqual(st["cutTail"], {"file": seg, "offset": end, "bytes": len(torn), "keptIn": kept})
            self.assertEqual(st["cutFiles"], [os.path.basename(kept)])
            self.assertEqual(st["tornTailBytesDropped"], len(torn))
            self.assertEqual(bin_quantity(c), 3, "the acknowledged postings are all there")
            c.ok("whseItemJournal.register", posting("after"))
        # whsectl's human status warns on stderr; --json stays just the status.
        ctl = os.path.join(os.path.dirname(WHSED), "whsectl")
        r = subprocess.run([ctl, "--socket", d.socket, "server", "status"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"warning: bytes cut from a torn log tail are kept in {os.path.basename(kept)}", r.stderr)
        self.assertEqual(d.terminate(), 0)

        # The file stays (whsed never removes it), and --verify keeps pointing at it until it is removed.
        code, out = verify(d.state)
        self.assertEqual(code, 3, out)
        self.assertIn(f"warning: kept: {kept} ({len(torn)} bytes)", out)
        os.unlink(kept)
        code, out = verify(d.state)
        self.assertEqual(code, 0, out)
        self.assertIn("ok: ", out)

        # A clean restart reports no cut.
        d.start()
        with d.connect() as c:
            st = c.ok("server.status")["log"]
            self.assertIsNone(st["cutTail"])
            self.assertEqual(st["cutFiles"], [])
            self.assertEqual(bin_quantity(c), 4)

    def assert_newer_format_refused(self, d, file, what):
        status, log = self.start_refused(d)
        self.assertEqual(status, 65, f"exit status; log:\n{log}")
        for text in (file, what, "segment format versions 1–2", "snapshot format version 1", "newer whsed"):
            self.assertIn(text, log)
        self.assertRegex(log, r"snapshot state versions 1–\d+")
        for text in ("repair", "corrupt"):
            self.assertNotIn(text, log.lower())
        code, out = verify(d.state)
        self.assertEqual(code, 2, out)
        self.assertIn(file, out)
        self.assertIn(what, out)
        self.assertNotIn("repair", out.lower())

    def test_newer_segment_version_is_named_not_called_corrupt(self):
        d = self.posted_then_killed(n=1)
        seg = last_segment(d.state)
        patch(seg, 8, struct.pack("<I", 3))
        self.assert_newer_format_refused(d, seg, "segment format version 3")

    def test_newer_snapshot_format_version_is_named_not_called_corrupt(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
        self.assertEqual(d.terminate(), 0)   # a clean stop writes a snapshot
        snap = snapshot_file(d.state)
        patch(snap, 8, struct.pack("<I", 2))
        self.assert_newer_format_refused(d, snap, "snapshot format version 2")

    def test_newer_snapshot_state_version_is_named_not_called_corrupt(self):
        d = self.start_daemon()
        with d.connect() as c:
            setup_master_data(c)
        self.assertEqual(d.terminate(), 0)
        snap = snapshot_file(d.state)
        with open(snap, "rb") as f:
            data = bytearray(f.read())
        magic = b"WHSEDSTATE"
        self.assertEqual(bytes(data[40:40 + len(magic)]), magic)
        data[40 + len(magic)] = 9   # the state version varint (one byte while < 128)
        struct.pack_into("<I", data, 32, crc32c(bytes(data[:32]) + bytes(data[40:])))
        with open(snap, "wb") as f:
            f.write(data)
        self.assert_newer_format_refused(d, snap, "snapshot state version 9")

    def test_final_snapshot_on_a_full_disk_is_logged(self):
        so = self.build_shim("enospc.c")
        flag = os.path.join(self.tmp, "disk-full")
        d = self.new_daemon()
        d.start(env={"LD_PRELOAD": so, "ENOSPC_FLAG": flag, "ENOSPC_ONLY_UNDER": d.state + "/"})
        with d.connect() as c:
            setup_master_data(c)
            c.ok("whseItemJournal.register", posting("before"))
        open(flag, "w").close()
        self.assertEqual(d.terminate(), 0, d.log())
        log = d.log()
        self.assertIn("error: the snapshot at shutdown", log)
        self.assertIn("was not written: no space left on device", log)
        self.assertEqual([n for n in os.listdir(d.state) if ".snap" in n], [], "a snapshot (or its .tmp) was left")
        os.unlink(flag)
        d.start(env={})
        with d.connect() as c:
            self.assertEqual(bin_quantity(c), 1)
            self.assertGreater(c.ok("server.status")["log"]["recoveredRecords"], 0, "the log was replayed")

    def test_enospc_from_fdatasync_is_fatal(self):
        so = self.build_shim("failsync.c")
        base = self.calibrate_syncs(so)

        d = self.new_daemon(subdir="fault")
        d.start(env={"LD_PRELOAD": so, "FAILSYNC_N": str(base + 3), "FAILSYNC_ERRNO": "ENOSPC"})
        acked = []
        with d.connect() as c:
            setup_master_data(c)
            for i in range(5):
                try:
                    r = c.rpc("whseItemJournal.register", posting(f"s{i}"), id=i, timeout=30)
                except Exception:   # noqa: BLE001 - the connection closes when whsed exits
                    break
                self.assertIn("result", r, f"a failed sync must not be answered, not even with an error: {r!r}")
                acked.append(f"s{i}")
        self.assertEqual(d.wait_exit(30), 74, d.log())
        self.assertEqual(acked, ["s0", "s1"])
        self.assertIn("No space left on device", d.log())
        d.start(env={})
        with d.connect() as c:
            self.assertIn(bin_quantity(c), (2, 3), "the acknowledged postings survive; the unanswered one may")
