"""A client for whsed, the warehouse ledger daemon, over its Unix socket (protocol.md). Standard library only.

    from decimal import Decimal
    from whsed_client import Client, WhseError

    with Client("/run/whsed/whsed.sock") as whse:
        key = whse.new_idempotency_key()      # keep it with the delivery: a retry tomorrow sends it again
        try:
            result = whse.post("whseItemJournal.register", {
                "location": "WH1", "documentNo": "RCPT-4711",
                "lines": [{"item": "ITEM1", "bin": "A-01", "quantity": Decimal("2.5")}]}, idempotency_key=key)
        except WhseError as e:
            print(e.code, e.reason, e.data)   # branch on e.reason, e.g. "insufficient_quantity"

Semantics, the same as the Swift library WhseClient:

- One connection, opened on the first call and again when whsed closed it (idle timeout, restart). Calls take turns
  on it (a lock); use one Client per thread for requests in parallel.
- Quantities stay exact: numbers with a fraction come back as ``decimal.Decimal``, and a ``Decimal`` is sent as the
  exact JSON number. Never use ``float`` for quantities.
- ``WhseError(code, reason, message, data)`` is whsed's refusal (protocol.md section 6). ``WhseConnectionError`` means
  no usable answer; when its ``request_sent`` is true, a posting may or may not have been done.
- A posting (``post`` and the helpers) carries an idempotency key: the one given, or a fresh one. The same key goes
  with every retry, so whsed posts it at most once and answers a repeat with the original result and
  ``"replayed": true`` (protocol.md section 8).
- Retries (``retries`` times, pausing ``delay`` x n seconds, at most ``max_delay``): after a failed connect (nothing
  was sent); after a lost answer only when the call is idempotent (a method that changes nothing, or a posting with
  ``idempotencyKey``); and, with ``retry_refusals``, after the refusals that say nothing was done (``shutting_down``,
  ``storage_full``, no connection slot). A posting without a key whose answer was lost is never sent again.
"""

import json
import os
import secrets
import select
import socket
import threading
import time
from decimal import Decimal

__all__ = ["Client", "WhseError", "WhseConnectionError", "POSTING_METHODS", "READ_METHODS", "STREAM_METHODS",
           "new_idempotency_key", "dumps", "loads"]

# protocol.md section 12: the methods that post (they take idempotencyKey) and the ones that change nothing.
POSTING_METHODS = frozenset({
    "location.create", "location.update", "location.convertToDirected", "zone.create", "bin.create", "bin.update",
    "binContent.setup", "item.create", "item.setCountingPeriod", "itemTracking.setBlocked", "countingPeriod.create",
    "whseItemJournal.register", "whseReclassJournal.register", "itemJournal.post",
    "itemJournal.calculateWhseAdjustment", "itemJournal.delete", "itemReclassJournal.post", "reservation.create",
    "reservation.cancel", "whsePhysInventory.calculate", "whsePhysInventory.recordCounts",
    "whsePhysInventory.recalculate", "whsePhysInventory.delete", "whsePhysInventory.register",
    "physInventory.calculate", "physInventory.recordCounts", "physInventory.recalculate", "physInventory.delete",
    "physInventory.post",
})
READ_METHODS = frozenset({
    "location.get", "location.list", "zone.list", "bin.list", "item.get", "item.list", "countingPeriod.list",
    "countingPeriod.due", "itemJournal.get", "reservation.list", "whsePhysInventory.get", "whsePhysInventory.list",
    "physInventory.get", "physInventory.list", "bin.contents", "item.bins", "item.availability", "entries.warehouse",
    "entries.item", "entries.physInventory", "server.status", "server.metrics", "server.verify", "server.checkpoint",
    "server.backup",
})

# Methods that answer with a stream of notifications on their connection (protocol.md 13.9), not one result: `call`
# refuses them; follow the feed on a connection of its own, e.g. with `whsectl entries follow --format jsonl`.
STREAM_METHODS = frozenset({"entries.follow"})

MAX_IDEMPOTENCY_KEY_BYTES = 128
# The longest answer line taken (whsed's own replies stay under maxReplyBytes, 64 MiB by default).
MAX_RESPONSE_BYTES = 1 << 30

# Refusals that say nothing was done: the same request may be sent again as it is (protocol.md 2.4, 6.4).
_NOTHING_DONE_REASONS = frozenset({"shutting_down", "storage_full"})
_CONNECTION_LIMITS = frozenset({"maxConnections", "maxConnectionsPerUser"})


class WhseError(Exception):
    """An error object whsed answered with (protocol.md section 6). Branch on ``reason``, never on ``message``."""

    def __init__(self, code, reason, message, data=None):
        super().__init__(f"{message} [{reason}, code {code}]")
        self.code = code          # the JSON-RPC code: -32768...-32000 protocol faults, 1001... refusals
        self.reason = reason      # data.reason, a stable snake_case word
        self.message = message    # a sentence for people; may change between versions
        self.data = dict(data or {})  # the reason and the facts: bin, available, limit, staleLines...

    @property
    def nothing_done(self):
        """Whether whsed said nothing was done, only not now: sending the same request again is safe."""
        if self.reason in _NOTHING_DONE_REASONS:
            return True
        return self.reason == "limit_exceeded" and self.data.get("limit") in _CONNECTION_LIMITS


class WhseConnectionError(Exception):
    """No usable answer from whsed. ``kind`` is one of the constants below; ``request_sent`` says whether any byte of
    the request left, so that whsed may have received it (then a posting's outcome is unknown: send it again with
    the same idempotency key)."""

    BAD_SOCKET_PATH = "bad_socket_path"
    CANNOT_CONNECT = "cannot_connect"
    CONNECTION_LOST = "connection_lost"
    TIMED_OUT = "timed_out"
    BAD_ANSWER = "bad_answer"

    def __init__(self, kind, message, request_sent):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.request_sent = request_sent


def new_idempotency_key(prefix=""):
    """A fresh key: ``prefix`` and 32 hex digits (128 random bits)."""
    return prefix + secrets.token_hex(16)


def is_idempotent(method, params):
    """Whether whsed does ``method`` at most once however often it arrives. An unknown method counts as a posting."""
    if method in READ_METHODS:
        return True
    return method in POSTING_METHODS and isinstance(params, dict) and "idempotencyKey" in params


def _encode(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise TypeError(f"{value!r} is a float: send quantities as Decimal (or int, or a string) to keep them exact")
    elif isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if not isinstance(k, str):
                raise TypeError(f"object keys must be strings, not {k!r}")
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _encode(v, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _encode(v, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} cannot go into a request: {value!r}")


def dumps(value):
    """Compact JSON text; a ``Decimal`` is written as its exact number, a ``float`` is refused."""
    out = []
    _encode(value, out)
    return "".join(out)


def loads(text):
    """Parses whsed's JSON; numbers with a fraction or exponent become ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


class _Connection:
    """One connection: a request line out, its response line back."""

    def __init__(self, path, timeout):
        try:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as e:
            raise WhseConnectionError(WhseConnectionError.CANNOT_CONNECT, f"cannot create a socket: {e}", False)
        self.sock.settimeout(timeout if timeout and timeout > 0 else None)
        try:
            self.sock.connect(path)
        except (OSError, ValueError) as e:
            self.sock.close()
            if isinstance(e, ValueError) or (isinstance(e, OSError) and e.errno is None):
                # An over-long path or an embedded NUL: Python refuses it before connect(2).
                raise WhseConnectionError(WhseConnectionError.BAD_SOCKET_PATH,
                                          f"not a usable socket path: {path}: {e}", False)
            raise WhseConnectionError(WhseConnectionError.CANNOT_CONNECT,
                                      f"cannot connect to whsed at {path}: {e.strerror or e}", False)
        self.buf = b""
        self.next_id = 1

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def stale(self):
        """Whether whsed closed its end or sent something unasked: the connection cannot carry a request."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable) or bool(self.buf)

    def call(self, method, params):
        rid = self.next_id
        self.next_id += 1
        request = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            request["params"] = params
        data = (dumps(request) + "\n").encode()
        self._send(data)
        line = self._read_line()
        try:
            reply = loads(line)
        except ValueError as e:
            raise WhseConnectionError(WhseConnectionError.BAD_ANSWER, f"whsed sent an answer that is not JSON: {e}",
                                      True)
        if not isinstance(reply, dict):
            raise WhseConnectionError(WhseConnectionError.BAD_ANSWER, "whsed's answer is not an object", True)
        answer_id = reply.get("id", "absent")
        error = reply.get("error")
        if error is not None:
            # An error about a line whsed could not read (or a refused connection) carries id null.
            if answer_id not in (rid, None) or not isinstance(error, dict) or not isinstance(error.get("code"), int):
                raise WhseConnectionError(WhseConnectionError.BAD_ANSWER,
                                          f"whsed's error answer is not for this request: {line[:200]!r}", True)
            data = error.get("data") if isinstance(error.get("data"), dict) else {}
            raise WhseError(error["code"], data.get("reason", ""), error.get("message", ""), data)
        if answer_id != rid:
            raise WhseConnectionError(WhseConnectionError.BAD_ANSWER,
                                      f"whsed answered request {rid} with id {answer_id!r}", True)
        if "result" not in reply:
            raise WhseConnectionError(WhseConnectionError.BAD_ANSWER, "whsed's answer has neither result nor error",
                                      True)
        return reply["result"]

    def _send(self, data):
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            try:
                sent += self.sock.send(view[sent:])
            except socket.timeout:
                raise WhseConnectionError(WhseConnectionError.TIMED_OUT,
                                          "whsed took no request bytes within the timeout", sent > 0)
            except OSError as e:
                raise WhseConnectionError(WhseConnectionError.CONNECTION_LOST, f"sending to whsed failed: {e}",
                                          sent > 0)

    def _read_line(self):
        scanned = 0
        while True:
            i = self.buf.find(b"\n", scanned)
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                return line
            scanned = len(self.buf)
            if scanned > MAX_RESPONSE_BYTES:
                raise WhseConnectionError(WhseConnectionError.BAD_ANSWER,
                                          f"whsed's answer is longer than {MAX_RESPONSE_BYTES} bytes", True)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                raise WhseConnectionError(WhseConnectionError.TIMED_OUT, "no answer from whsed within the timeout",
                                          True)
            except OSError as e:
                raise WhseConnectionError(WhseConnectionError.CONNECTION_LOST, f"reading from whsed failed: {e}",
                                          True)
            if not chunk:
                raise WhseConnectionError(WhseConnectionError.CONNECTION_LOST,
                                          "whsed closed the connection before answering", True)
            self.buf += chunk


class Client:
    """A client of whsed. ``path`` defaults to ``$WHSED_SOCKET``, else ``/run/whsed/whsed.sock``. ``timeout``:
    seconds to wait for each send and each answer (0 or None: forever). ``on_retry(attempt, error)`` is called
    before each retry."""

    def __init__(self, path=None, timeout=30.0, retries=10, delay=0.2, max_delay=5.0, retry_refusals=True,
                 on_retry=None):
        self.path = path or os.environ.get("WHSED_SOCKET", "/run/whsed/whsed.sock")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.delay = max(0.0, delay)
        self.max_delay = max(0.0, max_delay)
        self.retry_refusals = retry_refusals
        self.on_retry = on_retry
        self._lock = threading.Lock()
        self._conn = None

    def close(self):
        """Closes the connection; the next call opens a new one."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    new_idempotency_key = staticmethod(new_idempotency_key)

    def call(self, method, params=None):
        """Calls any method with params as given and returns its ``result``. Raises ``WhseError`` or
        ``WhseConnectionError``. A posting is retried after a lost answer only when ``params`` hold an
        ``idempotencyKey``; ``post`` adds one."""
        if method in STREAM_METHODS:
            raise ValueError(f"{method} answers with a stream of notifications, not one result: follow it on a "
                             "connection of its own (protocol.md 13.9), e.g. whsectl entries follow --format jsonl")
        idempotent = is_idempotent(method, params)
        attempt = 0
        while True:
            try:
                return self._exchange(method, params)
            except (WhseError, WhseConnectionError) as e:
                if attempt >= self.retries or not self._may_retry(e, idempotent):
                    raise
                attempt += 1
                if self.on_retry is not None:
                    self.on_retry(attempt, e)
                time.sleep(min(self.max_delay, self.delay * attempt))

    def post(self, method, params, idempotency_key=None):
        """Calls a posting method with an idempotency key, ``idempotency_key`` or a fresh one, kept across every
        retry of this call. Pass your own key (and keep it) to retry the same posting later, e.g. after a crash."""
        if method not in POSTING_METHODS:
            raise ValueError(f"{method} is not a posting method (protocol.md section 12)")
        key = idempotency_key
        if key is None:
            key = params.get("idempotencyKey") or new_idempotency_key()
        elif params.get("idempotencyKey", key) != key:
            raise ValueError("two different idempotency keys: in params and as idempotency_key")
        if not isinstance(key, str) or not key or len(key.encode()) > MAX_IDEMPOTENCY_KEY_BYTES:
            raise ValueError(f"an idempotency key is a non-empty string of at most {MAX_IDEMPOTENCY_KEY_BYTES} bytes")
        return self.call(method, dict(params, idempotencyKey=key))

    # Helpers for the journals (protocol.md 13.2, 13.3); every one posts with an idempotency key.

    def whse_item_journal_register(self, location, lines, document_no=None, registering_date=None,
                                   idempotency_key=None):
        return self.post("whseItemJournal.register",
                         _members(location=location, documentNo=document_no, registeringDate=registering_date,
                                  lines=lines), idempotency_key)

    def whse_reclass_journal_register(self, location, lines, document_no=None, registering_date=None,
                                      idempotency_key=None):
        return self.post("whseReclassJournal.register",
                         _members(location=location, documentNo=document_no, registeringDate=registering_date,
                                  lines=lines), idempotency_key)

    def item_journal_post(self, lines=None, batch=None, document_no=None, posting_date=None, idempotency_key=None):
        return self.post("itemJournal.post",
                         _members(lines=lines, batch=batch, documentNo=document_no, postingDate=posting_date),
                         idempotency_key)

    def item_reclass_journal_post(self, lines, document_no=None, posting_date=None, idempotency_key=None):
        return self.post("itemReclassJournal.post",
                         _members(lines=lines, documentNo=document_no, postingDate=posting_date), idempotency_key)

    def _may_retry(self, error, idempotent):
        if isinstance(error, WhseError):
            return self.retry_refusals and error.nothing_done
        if error.kind in (WhseConnectionError.BAD_SOCKET_PATH, WhseConnectionError.BAD_ANSWER):
            return False
        return idempotent or not error.request_sent

    def _exchange(self, method, params):
        with self._lock:
            if self._conn is not None and self._conn.stale():
                self._conn.close()
                self._conn = None
            if self._conn is None:
                self._conn = _Connection(self.path, self.timeout)
            try:
                return self._conn.call(method, params)
            except WhseConnectionError:
                self._conn.close()
                self._conn = None
                raise


def _members(**members):
    """The members that are set (None: left out, as whsed wants; protocol.md 18)."""
    return {k: v for k, v in members.items() if v is not None}
