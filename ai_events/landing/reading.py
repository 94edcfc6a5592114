"""Finding landing files and turning their bytes into text, losing nothing.

This is the part of loading that works on bytes: folders are walked, zip
archives opened, gzip undone, a byte-order mark honoured. What cannot become
text is kept as a `Reject` with its bytes. The text then goes to DuckDB
(`staging.py`), which splits it into lines and documents.

A file that needs none of this (no compression, no byte-order mark, valid
UTF-8) is *plain*: DuckDB reads it from disk itself, which is the fast path.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# A single line longer than this is kept as a reject instead of parsed.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Files whose names say they are still being written by the collector.
OPEN_SUFFIX = ".open"

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class LoadError(Exception):
    """A path given to the loader cannot be read at all."""


@dataclass
class Reject:
    """Something read that cannot become an event, with where it was."""

    source_line: int | None
    reason: str
    detail: str
    raw_text: str | None = None
    raw_bytes: bytes | None = None
    source_index: int | None = None


@dataclass
class SourceFile:
    """A file to load: a file on disk (`path` set), or a member of a zip archive."""

    name: str
    data: bytes
    path: Path | None = None


@dataclass
class DecodedText:
    """A file's content as text for DuckDB, and what could not be kept as text.

    Lines that could not be decoded are blanked in `text`, so that the
    remaining lines keep their line numbers.
    """

    text: str
    rejects: list[Reject]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under the given paths, sorted, skipping hidden files
    in folders and, with a warning, collector files still open for writing."""
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or folder")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if not candidate.is_file():
                continue
            if candidate.name.endswith(OPEN_SUFFIX):
                log.warning(
                    "skipping %s: a collector is still writing it (a collector that was "
                    "killed leaves it open; starting the collector again closes it)",
                    candidate,
                )
                continue
            # Hidden files inside a folder are skipped; one named outright is not.
            if path.is_dir() and any(
                part.startswith(".") for part in candidate.relative_to(path).parts
            ):
                continue
            yield candidate


def read_sources(path: Path) -> Iterator[SourceFile]:
    """The file itself, or each member of it when it is a zip archive (an
    Amplitude export is a zip of gzipped NDJSON files)."""
    data = path.read_bytes()
    if data[:4] == ZIP_MAGIC:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [
                    SourceFile(f"{path}!{info.filename}", archive.read(info))
                    for info in archive.infolist()
                    if not info.is_dir()
                ]
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            log.debug("%s looks like a zip archive but is not one (%s): read raw", path, error)
        else:
            yield from members
            return
    yield SourceFile(str(path), data, path)


def is_plain(data: bytes) -> bool:
    """Whether DuckDB can read these bytes as they are: no compression, no
    byte-order mark, valid UTF-8 (checked by DuckDB when it reads them)."""
    if data[:2] == GZIP_MAGIC or data[:4] == ZIP_MAGIC:
        return False
    return not any(data.startswith(mark) for mark, _ in _BOMS)


def decompress(data: bytes) -> tuple[bytes, Reject | None]:
    """Undo gzip (several members allowed). A stream cut short keeps what
    decompressed before the cut and reports the rest as a reject. A zip
    archive reaches here only when it did not open (`read_sources`): it is
    kept whole as a reject."""
    if data[:4] == ZIP_MAGIC:
        return b"", Reject(
            None,
            "zip_corrupt",
            "the file starts like a zip archive but does not open as one (cut short or damaged)",
            raw_bytes=data,
        )
    if data[:2] != GZIP_MAGIC:
        return data, None
    out = io.BytesIO()
    remaining = data
    while remaining[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.write(inflater.decompress(remaining))
        except zlib.error as error:
            return out.getvalue(), Reject(
                None, "gzip_corrupt", f"gzip stream is corrupt: {error}", raw_bytes=data
            )
        if not inflater.eof:
            return out.getvalue(), Reject(
                None,
                "gzip_truncated",
                f"gzip stream ends early after {len(data)} compressed bytes; "
                "the lines before the cut were loaded",
                raw_bytes=data,
            )
        remaining = inflater.unused_data
    if remaining.strip(b"\x00"):
        return out.getvalue(), Reject(
            None,
            "gzip_trailing_bytes",
            "bytes after the end of the gzip stream",
            raw_bytes=remaining,
        )
    return out.getvalue(), None


def strip_bom(data: bytes) -> tuple[bytes, Reject | None]:
    """Strip a byte-order mark; re-encode UTF-16/32 text as UTF-8.

    A UTF-16/32 file that does not decode is kept whole as a reject.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            if encoding == "utf-8":
                return data[len(mark) :], None
            try:
                return data[len(mark) :].decode(encoding).encode("utf-8"), None
            except UnicodeDecodeError as error:
                return b"", Reject(
                    None,
                    "invalid_encoding",
                    f"the file starts with a {encoding} byte-order mark but does not "
                    f"decode as {encoding} at byte {error.start + len(mark)}",
                    raw_bytes=data,
                )
    return data, None


def decode_lines(data: bytes) -> DecodedText:
    """Text for DuckDB; lines that are not UTF-8, or too long to parse, are
    rejects with their bytes and are blanked in the text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if len(data) <= MAX_LINE_BYTES or max(map(len, data.split(b"\n"))) <= MAX_LINE_BYTES:
            return DecodedText(text, [])
    lines = data.split(b"\n")
    rejects: list[Reject] = []
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_BYTES:
            rejects.append(
                Reject(
                    number,
                    "line_too_large",
                    f"{len(raw)} bytes, over the limit of {MAX_LINE_BYTES}",
                    raw_bytes=raw,
                )
            )
            lines[number - 1] = b""
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            rejects.append(
                Reject(
                    number,
                    "invalid_utf8",
                    f"not UTF-8 at byte {error.start} of the line",
                    raw_bytes=raw,
                )
            )
            lines[number - 1] = b""
    return DecodedText(b"\n".join(lines).decode("utf-8"), rejects)
