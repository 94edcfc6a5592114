"""An HTTP collector that the Segment, RudderStack, Snowplow and Amplitude SDKs
can send to unchanged.

Each accepted request is appended, as one JSON line, to a landing file and
flushed to disk (fsync) before the collector answers, so an answered event is
never lost. Files are written as `*.ndjson.open` and renamed to `*.ndjson`
when they rotate (by size or age, and at shutdown); `ai-events load` reads
only rotated files. A collector that was killed cannot rotate: the next one
to start on the landing folder closes the files it left. The collector never
opens the DuckDB warehouse, so collecting and building run side by side.

A request the collector refuses still lands when it carried data (a body that
does not decompress, text that is not UTF-8): the record keeps its bytes and
the reason, and the loader turns it into a reject. Only requests with no
usable identity (an unknown write key, an Amplitude body whose key cannot be
read, a body over the size limit, an unknown path) are turned away without a
record. A gzip body that inflates past the size limit is refused (413) but
lands, compressed, as a reject.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import os
import socket
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ai_events.landing.loader import COLLECTOR_MARKER, OPEN_SUFFIX

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
# At most this much of a refused body is read (and dropped) before closing.
LINGER_BYTES = 1024 * 1024
DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024
DEFAULT_ROTATE_SECONDS = 60.0

# A transparent 1x1 GIF, the answer Snowplow's GET pixel expects.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# Problems that leave the body readable as text: it lands as text, and the
# loader files it as a reject (or, for deep nesting, as events when DuckDB
# can read it). Any other problem lands the body's bytes.
_TEXT_PROBLEMS = ("invalid_json", "nesting_too_deep")

SEGMENT_SINGLE_CALLS = ("track", "identify", "page", "screen", "group", "alias")


@dataclass(frozen=True)
class Route:
    """What a path carries: the tracker family and the landed format."""

    family: str  # segment_spec, snowplow or amplitude
    batch: bool
    method: str = "POST"


ROUTES: dict[str, Route] = {
    "/v1/batch": Route("segment_spec", batch=True),
    "/v1/import": Route("segment_spec", batch=True),
    **{f"/v1/{call}": Route("segment_spec", batch=False) for call in SEGMENT_SINGLE_CALLS},
    "/com.snowplowanalytics.snowplow/tp2": Route("snowplow", batch=True),
    "/i": Route("snowplow", batch=False, method="GET"),
    "/com.snowplowanalytics.snowplow/i": Route("snowplow", batch=False, method="GET"),
    "/2/httpapi": Route("amplitude", batch=True),
    "/batch": Route("amplitude", batch=True),
}


@dataclass
class CollectorConfig:
    landing_dir: Path
    # write key -> protocol ("segment" or "rudderstack"); an Amplitude API key
    # maps to "amplitude". Empty means every key is accepted.
    write_keys: dict[str, str] = field(default_factory=dict)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rotate_bytes: int = DEFAULT_ROTATE_BYTES
    rotate_seconds: float = DEFAULT_ROTATE_SECONDS


class LandingWriter:
    """Append-only, durable landing files with size and age rotation."""

    def __init__(self, directory: Path, rotate_bytes: int, rotate_seconds: float) -> None:
        self.directory = directory
        self.rotate_bytes = rotate_bytes
        self.rotate_seconds = rotate_seconds
        self._lock = threading.Lock()
        self._file = None
        self._path: Path | None = None
        self._opened_at = 0.0
        self._written = 0
        self._sequence = 0
        self.records_written = 0

    def _open(self) -> None:
        now = dt.datetime.now(dt.UTC)
        folder = self.directory / f"{now:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        name = f"collector-{now:%Y%m%dT%H%M%S}-{os.getpid()}-{self._sequence:05d}.ndjson"
        self._path = folder / (name + OPEN_SUFFIX)
        self._file = open(self._path, "ab")  # noqa: SIM115 - held open across requests
        self._opened_at = time.monotonic()
        self._written = 0

    def _close(self) -> None:
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        if self._written:
            os.replace(self._path, final)
            log.debug("rotated %s", final)
        else:
            self._path.unlink(missing_ok=True)
        self._file = None
        self._path = None

    def append(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self._file is None:
                self._open()
            assert self._file is not None
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())
            self._written += len(line)
            self.records_written += 1
            if self._written >= self.rotate_bytes:
                self._close()

    def rotate_if_old(self) -> None:
        with self._lock:
            if self._file is not None and time.monotonic() - self._opened_at >= self.rotate_seconds:
                self._close()

    def close(self) -> None:
        with self._lock:
            self._close()


def close_abandoned_files(directory: Path) -> list[Path]:
    """Rename the `.open` files that collectors which are no longer running
    left behind (killed before they could rotate), so that they load: every
    record in them was answered. A record cut by the kill becomes a reject
    when loaded. Files of a collector still running are left to it."""
    closed = []
    for path in sorted(directory.rglob(f"collector-*{OPEN_SUFFIX}")):
        parts = path.name.split("-")
        pid = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else None
        if pid is not None and _running(pid):
            continue
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        if path.stat().st_size:
            os.replace(path, final)
            closed.append(final)
        else:
            path.unlink()
    return closed


def _running(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


class CollectorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], config: CollectorConfig) -> None:
        self.config = config
        for path in close_abandoned_files(config.landing_dir):
            log.warning("closed %s, left open by a collector that stopped abruptly", path)
        self.writer = LandingWriter(config.landing_dir, config.rotate_bytes, config.rotate_seconds)
        self._stop_rotation = threading.Event()
        super().__init__(address, CollectorHandler)
        self._rotator = threading.Thread(target=self._rotate_loop, daemon=True)
        self._rotator.start()

    def handle_error(self, request: object, client_address: tuple) -> None:
        """A client that hangs up or stalls is routine: one line, no traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.info("%s: %s", client_address[0], error.__class__.__name__)
            return
        super().handle_error(request, client_address)

    def _rotate_loop(self) -> None:
        interval = max(0.05, min(1.0, self.config.rotate_seconds / 4))
        while not self._stop_rotation.wait(interval):
            self.writer.rotate_if_old()

    def server_close(self) -> None:
        self._stop_rotation.set()
        super().server_close()
        self.writer.close()


class RequestRefused(Exception):
    def __init__(self, status: HTTPStatus, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


class CollectorHandler(BaseHTTPRequestHandler):
    server: CollectorServer
    protocol_version = "HTTP/1.1"
    server_version = "ai-events-collector"

    # A client that stops sending mid-request frees its thread after this.
    timeout = 30

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    _linger = False

    def finish(self) -> None:
        """After refusing a body unread, read (briefly, and a bounded amount)
        what the client still sends before closing: closing on unread bytes
        resets the connection, and the client would lose our answer."""
        super().finish()
        if not self._linger:
            return
        try:
            self.connection.settimeout(1.0)
            self.connection.shutdown(socket.SHUT_WR)
            drained = 0
            while drained < LINGER_BYTES and (chunk := self.connection.recv(65536)):
                drained += len(chunk)
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        """Refuse an announced body over the limit before it is sent."""
        length = self.headers.get("Content-Length", "")
        limit = self.server.config.max_body_bytes
        if length.isascii() and length.isdigit() and int(length) > limit:
            self.close_connection = True
            route = ROUTES.get(urlsplit(self.path).path.rstrip("/") or "/")
            self._refuse(route, self._too_large(int(length)))
            return False
        return super().handle_expect_100()

    # -- answers -------------------------------------------------------------

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status >= HTTPStatus.BAD_REQUEST:
            # The request's body may be unread: start the next one afresh.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: HTTPStatus, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _refuse(self, route: Route | None, refused: RequestRefused) -> None:
        log.info("refused %s %s: %s", self.command, self.path, refused.message)
        if route is not None and route.family == "amplitude":
            self._send_json(refused.status, {"code": int(refused.status), "error": refused.message})
        else:
            self._send_json(
                refused.status,
                {"success": False, "code": refused.reason, "message": refused.message},
            )

    def _accept(self, route: Route, events: int | None) -> None:
        if route.family == "snowplow" and route.method == "GET":
            self._send(HTTPStatus.OK, PIXEL, "image/gif")
        elif route.family == "amplitude":
            self._send_json(
                HTTPStatus.OK,
                {
                    "code": 200,
                    "events_ingested": events or 0,
                    "server_upload_time": int(time.time() * 1000),
                },
            )
        else:
            self._send_json(HTTPStatus.OK, {"success": True})

    # -- requests ------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        # Browser trackers preflight their POSTs.
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _method_not_allowed(self) -> None:
        # A body we will not read must not be taken for the next request.
        self.close_connection = True
        self._send_json(
            HTTPStatus.METHOD_NOT_ALLOWED,
            {"success": False, "code": "method_not_allowed",
             "message": f"{self.command} is not a tracker method: GET, POST or OPTIONS"},
        )  # fmt: skip

    do_PUT = do_DELETE = do_PATCH = _method_not_allowed

    def do_HEAD(self) -> None:
        self.close_connection = True
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        route = ROUTES.get(parts.path.rstrip("/") or "/")
        try:
            if route is None or route.method != method:
                if parts.path in ("/health", "/healthz"):
                    self._send_json(HTTPStatus.OK, {"status": "ok"})
                    return
                raise RequestRefused(
                    HTTPStatus.NOT_FOUND,
                    "unknown_path",
                    f"no tracker endpoint at {method} {parts.path}",
                )
            body = parts.query.encode() if method == "GET" else self._read_body()
            self._collect(route, parts.path, body)
        except RequestRefused as refused:
            self._refuse(route, refused)

    def _too_large(self, length: int) -> RequestRefused:
        limit = self.server.config.max_body_bytes
        return RequestRefused(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            f"body of {length} bytes is over the limit of {limit}",
        )

    def _read_body(self) -> bytes:
        limit = self.server.config.max_body_bytes
        lengths = set(self.headers.get_all("Content-Length") or [])
        if len(lengths) > 1:
            self._linger = self.close_connection = True
            raise RequestRefused(
                HTTPStatus.BAD_REQUEST, "bad_length", f"Content-Length given as {sorted(lengths)}"
            )
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise RequestRefused(
                HTTPStatus.LENGTH_REQUIRED, "length_required", "Content-Length is required"
            )
        try:
            # Digits only: int() would also take "+58", " 58 " and "-1".
            if not (length_header.isascii() and length_header.isdigit()):
                raise ValueError(length_header)
            length = int(length_header)
        except ValueError:
            self._linger = self.close_connection = True
            raise RequestRefused(
                HTTPStatus.BAD_REQUEST, "bad_length", f"Content-Length {length_header!r}"
            ) from None
        if length < 0:
            self._linger = self.close_connection = True
            raise RequestRefused(
                HTTPStatus.BAD_REQUEST, "bad_length", f"Content-Length {length_header!r}"
            )
        if length > limit:
            # Answer at once and close: reading a body we refuse would let a
            # client hold the collector for as long as it likes.
            self._linger = self.close_connection = True
            raise self._too_large(length)
        body = self.rfile.read(length)
        if len(body) < length:
            # The client went away mid-body: nothing complete to keep.
            self.close_connection = True
            raise RequestRefused(
                HTTPStatus.BAD_REQUEST,
                "body_cut_short",
                f"the body ended after {len(body)} of {length} bytes",
            )
        return body

    def _collect(self, route: Route, path: str, raw: bytes) -> None:
        request: dict = {
            "method": self.command,
            "path": path,
            "format": None,
            "user_agent": self.headers.get("User-Agent"),
            "ip": self.client_address[0],
            "content_type": self.headers.get("Content-Type"),
            "content_encoding": self.headers.get("Content-Encoding"),
        }
        record: dict = {COLLECTOR_MARKER: request, "received_at": _utc_iso()}
        problem: tuple[str, str] | None = None
        body = raw
        encoding = self.headers.get("Content-Encoding", "").strip().lower()
        if encoding == "gzip":
            body, problem = _gunzip(raw, self.server.config.max_body_bytes)
        elif encoding not in ("", "identity"):
            # Kept as bytes with the reason, like a body that does not inflate.
            problem = ("unsupported_encoding", f"Content-Encoding {encoding!r} is not gzip")
        text = ""
        if problem is None:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as error:
                problem = ("invalid_utf8", f"the body is not UTF-8 at byte {error.start}")
        parsed = None
        if problem is None and route.method == "POST":
            try:
                parsed = json.loads(text)
            except ValueError as error:
                problem = ("invalid_json", f"the body is not JSON: {error}")
            except RecursionError:
                # DuckDB reads what Python's parser cannot: keep the body as
                # text and let the loader decide.
                problem = ("nesting_too_deep", "the body nests too deeply to read its write key")

        write_key, protocol = self._identify(route, parsed, problem)
        request["write_key"] = write_key
        request["protocol"] = protocol
        request["format"] = _landed_format(route, protocol)

        if problem is not None and problem[0] not in _TEXT_PROBLEMS:
            # Keep the bytes: the loader files them as a reject.
            request["rejected"], request["detail"] = problem
            record["body_encoding"] = "base64"
            record["body"] = base64.b64encode(raw).decode()
        else:
            record["body"] = text
        self.server.writer.append(record)
        if problem is not None:
            status = (
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE
                if problem[0] == "body_too_large"
                else HTTPStatus.BAD_REQUEST
            )
            raise RequestRefused(status, problem[0], problem[1])
        self._accept(route, _count_events(route, parsed))

    def _identify(
        self, route: Route, parsed: object, problem: tuple[str, str] | None
    ) -> tuple[str | None, str | None]:
        """The write key of a request and the protocol it stands for.

        Segment and RudderStack send the key as HTTP basic auth (Segment also
        in the body), Amplitude as `api_key` in the body; Snowplow has none.
        An Amplitude body that cannot be read has no key to check: it is
        refused for what is wrong with it, without a record.
        """
        keys = self.server.config.write_keys
        if keys and route.family == "amplitude" and problem is not None:
            raise RequestRefused(HTTPStatus.BAD_REQUEST, problem[0], problem[1])
        key: str | None = None
        if route.family == "segment_spec":
            key = _basic_auth_user(self.headers.get("Authorization"))
            if key is None and isinstance(parsed, dict):
                key = parsed.get("writeKey")
        elif route.family == "amplitude" and isinstance(parsed, dict):
            key = parsed.get("api_key")
        if route.family == "snowplow":
            return None, "snowplow"
        if keys and key not in keys:
            why = "missing write key" if key is None else "unknown write key"
            raise _key_refused(route, key, why)
        if keys and key is not None and not _key_fits(keys[key], route):
            # A key stands for one protocol: an Amplitude key on Segment's
            # paths (or the reverse) is a misconfigured client.
            raise _key_refused(route, key, f"the write key is configured for {keys[key]}")
        if route.family == "amplitude":
            return key, "amplitude"
        return key, keys.get(key) if key is not None else None


def _key_refused(route: Route, key: str | None, why: str) -> RequestRefused:
    """A refused key, in the words each protocol's SDK understands: Amplitude's
    looks for "Invalid API key" (400) to stop retrying; Segment's and
    RudderStack's for a 401."""
    if route.family == "amplitude":
        return RequestRefused(
            HTTPStatus.BAD_REQUEST, "invalid_api_key", f"Invalid API key: {key or ''} ({why})"
        )
    return RequestRefused(HTTPStatus.UNAUTHORIZED, "invalid_write_key", why)


def _key_fits(protocol: str, route: Route) -> bool:
    """Whether a key configured for `protocol` (empty: any) may be used on
    `route`."""
    if not protocol:
        return True
    return (protocol == "amplitude") == (route.family == "amplitude")


def _gunzip(raw: bytes, limit: int) -> tuple[bytes, tuple[str, str] | None]:
    """Decompress a gzip body, refusing one that inflates past `limit` bytes
    (a small body must not be able to fill the collector's memory)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        return raw, ("gzip_corrupt", f"the gzip body does not decompress: {error}")
    if len(body) > limit:
        return raw, (
            "body_too_large",
            f"the gzip body inflates to more than the limit of {limit} bytes",
        )
    if not inflater.eof:
        return raw, ("gzip_truncated", "the gzip body ends before its stream does")
    return body, None


def _basic_auth_user(header: str | None) -> str | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0] or None


def _landed_format(route: Route, protocol: str | None) -> str | None:
    """The loader's format for a request, or None to let the loader detect it."""
    if route.family == "snowplow":
        return "snowplow_tp2" if route.batch else "snowplow_tp2_event"
    if route.family == "amplitude":
        return "amplitude_upload"
    if protocol in ("segment", "rudderstack"):
        return f"{protocol}_{'batch' if route.batch else 'message'}"
    # Unknown key: a single call has no `type` of its own, so say Segment spec.
    return None if route.batch else "segment_message"


def _count_events(route: Route, parsed: object) -> int | None:
    if not route.batch or not isinstance(parsed, dict):
        return 1 if not route.batch else None
    for key in ("batch", "data", "events"):
        value = parsed.get(key)
        if isinstance(value, list):
            return len(value)
    return None


def _utc_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def serve(config: CollectorConfig, host: str, port: int) -> CollectorServer:
    """Create a collector bound to host:port (port 0 picks a free one)."""
    config.landing_dir.mkdir(parents=True, exist_ok=True)
    return CollectorServer((host, port), config)
