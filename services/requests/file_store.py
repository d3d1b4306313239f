"""Attachment files, kept on disk outside the database rows.

A file is written under a new random key (a UUID's 32 hex digits, in a folder named by its first
two) to a partial file in the same folder, flushed to the disk (fsync), then renamed to its key
in one step: a reader sees the whole file or none, and a write that fails at any point
(an error of the content's source, a full disk, a killed worker) leaves no file behind, only, if
the process itself died, a partial file that ``prepare`` removes once it is an hour old. The
caller keeps the key, the size and the SHA-256 the write returns in its row; ``read`` checks the
file against that SHA-256 every time.

A file missing or damaged is not the reader's fault and not a bug of the request: it is an
``Unavailable`` (503) with a code of its own (``attachment.file_missing``,
``attachment.checksum_mismatch``), logged at ERROR and counted
(``imi_attachment_store_failures_total``) for the operator, who restores the file from a backup
(docs/requests.md, "Attachments"). A disk that refuses a write is ``attachment.store_unavailable``.

Keys are random, not the content's hash: two attachments of the same bytes are two files, so
deleting one (a withdrawn attachment, personal data past its retention) never touches another's.

The ``AttachmentStore`` dependency gives a service's workers the store and the content limits
from the ``ATTACHMENTS`` block of deploy/config.yaml; its disk work runs in a real thread
(eventlet.tpool), so that a slow disk does not stop the process's other workers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from eventlet import tpool
from nameko.extensions import DependencyProvider
from prometheus_client import Counter

from services.common.config import REPO_ROOT
from services.common.errors import Unavailable
from services.requests.attachment_content import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNPACKED_BYTES,
    DEFAULT_MAX_ZIP_ENTRIES,
    AcceptedContent,
    ContentLimits,
    check_attachment,
)

log = logging.getLogger(__name__)

ATTACHMENTS = "ATTACHMENTS"
DEFAULT_DIR = "var/attachments"
KEY = re.compile(r"[0-9a-f]{32}")
PARTIAL_PREFIX = ".partial-"
CHUNK_BYTES = 1024 * 1024
# A partial file older than this was left by a process that died while writing it.
STALE_PARTIAL_SECONDS = 3600
# How long a client is told to wait: a missing or damaged file needs an operator; a disk that
# refused a write (full, read-only) may be freed sooner.
RETRY_AFTER_DAMAGED = 600
RETRY_AFTER_WRITE = 60

STORE_FAILURES = Counter(
    "imi_attachment_store_failures_total",
    "Attachment files found missing or damaged on read, or that could not be written.",
    ["reason"],
)

T = TypeVar("T")


@dataclass(frozen=True)
class StoredFile:
    """A file as written: the key to read it by, its size in bytes and its SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


def _direct(function: Callable[..., T], *args: Any) -> T:
    return function(*args)


class FileStore:
    """Files on disk under ``root`` (relative paths are taken from the repository root).

    ``offload`` runs each disk operation (the store's own methods are plain, blocking code);
    the dependency passes eventlet's ``tpool.execute``, tests and scripts call directly.
    """

    def __init__(
        self, root: str | Path, offload: Callable[..., Any] = _direct
    ):  # no I/O here: the folder is made by ``prepare`` or the first write
        path = Path(root)
        self.root = path if path.is_absolute() else REPO_ROOT / path
        self.offload = offload

    # --- the operations ---------------------------------------------------------------------

    def write(self, content: bytes | Iterable[bytes]) -> StoredFile:
        """Store ``content`` (bytes, or chunks of bytes) under a new key; all or nothing."""
        return self.offload(self._write, content)

    def read(self, key: str, sha256: str) -> bytes:
        """The file stored under ``key``, if its SHA-256 is ``sha256``; else an Unavailable
        (``attachment.file_missing``, ``attachment.checksum_mismatch``)."""
        return self.offload(self._read, key, sha256)

    def delete(self, key: str) -> bool:
        """Remove the file stored under ``key``: True if it was there (deleting twice is
        harmless)."""
        return self.offload(self._delete, key)

    @contextmanager
    def storing(self, content: bytes | Iterable[bytes]) -> Iterator[StoredFile]:
        """Store ``content`` for the block, which records it (its database row); if the block
        raises, the file is deleted again, so that a failed upload leaves nothing behind."""
        stored = self.write(content)
        try:
            yield stored
        except BaseException:
            self.delete(stored.key)
            raise

    def keys(self, older_than_seconds: float = 0.0) -> Iterator[str]:
        """The keys of the stored files last written more than ``older_than_seconds`` ago, for
        a sweep that deletes the files no row names (left by a worker that died between its
        write and its commit)."""
        threshold = time.time() - older_than_seconds
        for path in self._files():
            if not path.name.startswith(PARTIAL_PREFIX) and KEY.fullmatch(path.name):
                try:
                    if path.stat().st_mtime <= threshold:
                        yield path.name
                except FileNotFoundError:
                    continue

    def prepare(self, stale_after_seconds: float = STALE_PARTIAL_SECONDS) -> int:
        """Make the root folder and remove the partial files older than
        ``stale_after_seconds`` (left by a process that died while writing); how many."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        threshold = time.time() - stale_after_seconds
        removed = 0
        for path in self._files():
            if path.name.startswith(PARTIAL_PREFIX):
                try:
                    if path.stat().st_mtime <= threshold:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        if removed:
            log.warning("removed %d partial attachment file(s) left by a write that died", removed)
        return removed

    # --- the work, in the offloaded thread --------------------------------------------------

    def _write(self, content: bytes | Iterable[bytes]) -> StoredFile:
        key = uuid.uuid4().hex
        folder = self.root / key[:2]
        final = folder / key
        partial = folder / f"{PARTIAL_PREFIX}{key}"
        digest = hashlib.sha256()
        size = 0
        chunks = _chunks(content)
        in_source = False  # an error of the content's source is the caller's, not the disk's
        try:
            self._make_folder(folder)
            descriptor = os.open(
                partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600
            )
            try:
                while True:
                    in_source = True
                    chunk = next(chunks, None)
                    in_source = False
                    if chunk is None:
                        break
                    digest.update(chunk)
                    size += len(chunk)
                    _write_all(descriptor, chunk)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(partial, final)
            _fsync_folder(folder)
        except BaseException as exc:
            _remove(partial)
            _remove(final)
            if isinstance(exc, OSError) and not in_source:
                STORE_FAILURES.labels("write").inc()
                log.error("an attachment file could not be written under %s: %s", self.root, exc)
                raise Unavailable(
                    "The attachment could not be stored; nothing was kept. Try again later.",
                    "attachment.store_unavailable",
                    {"retry_after": RETRY_AFTER_WRITE},
                ) from None
            raise
        return StoredFile(key, size, digest.hexdigest())

    def _read(self, key: str, sha256: str) -> bytes:
        path = self._path(key)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            STORE_FAILURES.labels("missing").inc()
            log.error("attachment file %s is missing from %s", key, self.root)
            raise Unavailable(
                "The attachment's file is missing from the store; the operators must restore it.",
                "attachment.file_missing",
                {"retry_after": RETRY_AFTER_DAMAGED},
            ) from None
        except OSError as exc:
            STORE_FAILURES.labels("unreadable").inc()
            log.error("attachment file %s cannot be read: %s", key, exc)
            raise Unavailable(
                "The attachment store cannot be read now. Try again later.",
                "attachment.store_unavailable",
                {"retry_after": RETRY_AFTER_WRITE},
            ) from None
        found = hashlib.sha256(content).hexdigest()
        if not hmac.compare_digest(found, str(sha256).lower()):
            STORE_FAILURES.labels("checksum").inc()
            log.error(
                "attachment file %s failed its checksum: SHA-256 %s expected, %s found",
                key,
                sha256,
                found,
            )
            raise Unavailable(
                "The attachment's file is damaged (its checksum does not match); the operators "
                "must restore it.",
                "attachment.checksum_mismatch",
                {"retry_after": RETRY_AFTER_DAMAGED},
            )
        return content

    def _delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            STORE_FAILURES.labels("delete").inc()
            log.error("attachment file %s could not be deleted: %s", key, exc)
            raise Unavailable(
                "The attachment store cannot be changed now. Try again later.",
                "attachment.store_unavailable",
                {"retry_after": RETRY_AFTER_WRITE},
            ) from None
        _fsync_folder(path.parent)
        return True

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or KEY.fullmatch(key) is None:
            raise ValueError(f"{key!r} is not a key this store gives")  # a bug, not an input
        return self.root / key[:2] / key

    def _make_folder(self, folder: Path) -> None:
        if folder.is_dir():
            return
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        _fsync_folder(self.root)

    def _files(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name):
                yield from sorted(folder.iterdir())


def _chunks(content: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content)
        for start in range(0, len(view), CHUNK_BYTES):
            yield bytes(view[start : start + CHUNK_BYTES])
        return
    for chunk in content:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError("an attachment's content is bytes")
        yield bytes(chunk)


def _write_all(descriptor: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    """Make a rename or a removal in ``folder`` durable (the folder's own entry list)."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:  # the original failure matters more; say this one in the log
        log.error("could not remove %s after a failed write: %s", path, exc)


# --- configuration and the dependency ------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentSettings:
    """The ``ATTACHMENTS`` block of deploy/config.yaml: ``DIR`` (the store's folder; relative
    paths from the repository root), ``MAX_BYTES`` (the largest file), ``MAX_UNPACKED_BYTES``
    and ``MAX_ZIP_ENTRIES`` (what an ODF or OOXML document may unpack to)."""

    directory: str = DEFAULT_DIR
    limits: ContentLimits = field(default_factory=ContentLimits)

    @classmethod
    def from_config(cls, config: dict) -> AttachmentSettings:
        block = config.get(ATTACHMENTS) or {}
        limits = ContentLimits(
            max_bytes=_positive(block, "MAX_BYTES", DEFAULT_MAX_BYTES),
            max_unpacked_bytes=_positive(block, "MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES),
            max_zip_entries=_positive(block, "MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES),
        )
        return cls(str(block.get("DIR") or DEFAULT_DIR), limits)


def _positive(block: dict, name: str, default: int) -> int:
    raw = block.get(name)
    value = default if raw is None or raw == "" else int(raw)
    if value < 1:
        raise ValueError(f"{ATTACHMENTS}.{name} must be a positive number of bytes")
    return value


@dataclass(frozen=True)
class Attachments:
    """What a worker gets: the store, and the limits uploads are checked against."""

    store: FileStore
    limits: ContentLimits

    def check(
        self, content: bytes, name: str, language: str, declared_media_type: str
    ) -> AcceptedContent:
        """``check_attachment`` against these limits, in the store's thread (opening and
        testing a ZIP container is CPU work)."""
        return self.store.offload(
            check_attachment, content, name, language, declared_media_type, self.limits
        )


class AttachmentStore(DependencyProvider):
    """Gives each worker the process's ``Attachments``, built once from the configuration."""

    def setup(self) -> None:
        settings = AttachmentSettings.from_config(self.container.config)
        store = FileStore(settings.directory, offload=tpool.execute)
        store.prepare()
        self.attachments = Attachments(store, settings.limits)

    def get_dependency(self, worker_ctx) -> Attachments:
        return self.attachments
