"""The attachment file store (services/requests/file_store.py) on a real folder (tmp_path): what
it writes is all there or not at all, what it reads is what was written or a 503 for the
operator. The last tests run the dependency in a nameko container on the test broker."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import subprocess
import time
from datetime import UTC, datetime

import pytest
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook
from prometheus_client import REGISTRY
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common.config import REPO_ROOT, load_config
from services.common.errors import Unavailable, ValidationFailed
from services.requests import file_store
from services.requests.attachment_content import PDF, ContentLimits
from services.requests.file_store import (
    PARTIAL_PREFIX,
    AttachmentSettings,
    AttachmentStore,
    FileStore,
    StoredFile,
)
from services.requests.models import Attachment, Base
from services.requests.request_attachments import ORPHAN_AFTER_SECONDS, sweep_orphans
from tests.requests import sample_files as sample

MIB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "attachments")


def everything_under(folder) -> list[str]:
    """Every file below ``folder``, partial ones included, as paths relative to it."""
    if not folder.exists():
        return []
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def failures(reason: str) -> float:
    value = REGISTRY.get_sample_value("imi_attachment_store_failures_total", {"reason": reason})
    return value or 0.0


# --- writing and reading ----------------------------------------------------------------------


def test_a_written_file_is_read_back_under_its_key_with_its_size_and_sha256(store):
    document = sample.pdf()

    stored = store.write(document)

    assert stored == StoredFile(stored.key, len(document), hashlib.sha256(document).hexdigest())
    assert store.read(stored.key, stored.sha256) == document
    path = store.root / stored.key[:2] / stored.key
    assert path.read_bytes() == document
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert everything_under(store.root) == [f"{stored.key[:2]}/{stored.key}"]


def test_content_given_in_chunks_is_stored_as_one_file(store):
    chunks = [b"first part, ", b"", b"second part, ", b"third part\n"]

    stored = store.write(iter(chunks))

    assert store.read(stored.key, stored.sha256) == b"".join(chunks)
    assert stored.size == sum(len(chunk) for chunk in chunks)


def test_a_file_larger_than_one_write_is_stored_whole(store):
    document = os.urandom(3 * MIB + 17)

    stored = store.write(document)

    assert store.read(stored.key, stored.sha256) == document


def test_two_uploads_of_the_same_bytes_are_two_files_deleted_apart(store):
    first, second = store.write(b"same bytes"), store.write(b"same bytes")

    assert first.key != second.key
    assert first.sha256 == second.sha256
    assert store.delete(first.key) is True
    assert store.read(second.key, second.sha256) == b"same bytes"


def test_a_relative_root_is_taken_from_the_repository_root():
    assert FileStore("var/attachments").root == REPO_ROOT / "var" / "attachments"


def test_a_key_the_store_did_not_give_is_a_bug_not_a_path(store):
    for key in ("../../etc/passwd", "A" * 32, "", None):
        with pytest.raises(ValueError, match="not a key"):
            store.read(key, "0" * 64)


# --- damaged or missing files -------------------------------------------------------------------


def test_a_file_damaged_on_disk_is_an_outage_with_its_own_code_logged_and_counted(store, caplog):
    stored = store.write(sample.pdf())
    path = store.root / stored.key[:2] / stored.key
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))
    before = failures("checksum")

    with (
        caplog.at_level(logging.ERROR, logger=file_store.__name__),
        pytest.raises(Unavailable) as caught,
    ):
        store.read(stored.key, stored.sha256)

    assert caught.value.code == "attachment.checksum_mismatch"
    assert caught.value.status == 503
    assert caught.value.extra["retry_after"] > 0
    assert failures("checksum") == before + 1
    logged = [record.getMessage() for record in caplog.records]
    assert any(stored.key in line and stored.sha256 in line for line in logged), logged


def test_a_checksum_the_file_never_had_is_refused(store):
    stored = store.write(b"the real content")

    with pytest.raises(Unavailable) as caught:
        store.read(stored.key, hashlib.sha256(b"other content").hexdigest())

    assert caught.value.code == "attachment.checksum_mismatch"


def test_a_file_truncated_on_disk_is_refused(store):
    stored = store.write(sample.pdf())
    (store.root / stored.key[:2] / stored.key).write_bytes(sample.pdf()[:50])

    with pytest.raises(Unavailable) as caught:
        store.read(stored.key, stored.sha256)

    assert caught.value.code == "attachment.checksum_mismatch"


def test_a_missing_file_is_an_outage_with_its_own_code(store, caplog):
    stored = store.write(b"soon gone")
    (store.root / stored.key[:2] / stored.key).unlink()
    before = failures("missing")

    with (
        caplog.at_level(logging.ERROR, logger=file_store.__name__),
        pytest.raises(Unavailable) as caught,
    ):
        store.read(stored.key, stored.sha256)

    assert caught.value.code == "attachment.file_missing"
    assert failures("missing") == before + 1
    assert any(stored.key in record.getMessage() for record in caplog.records)


def test_a_deleted_file_is_gone_and_deleting_it_again_is_harmless(store):
    stored = store.write(b"to be withdrawn")

    assert store.delete(stored.key) is True
    assert store.delete(stored.key) is False
    assert everything_under(store.root) == []
    with pytest.raises(Unavailable) as caught:
        store.read(stored.key, stored.sha256)
    assert caught.value.code == "attachment.file_missing"


# --- failed writes leave nothing ----------------------------------------------------------------


def test_a_source_that_fails_mid_way_leaves_no_file(store):
    def chunks():
        yield b"a first chunk"
        raise ConnectionError("the upload was cut")

    with pytest.raises(ConnectionError):
        store.write(chunks())

    assert everything_under(store.root) == []


def test_a_full_disk_mid_write_is_an_outage_and_leaves_no_file(store, monkeypatch):
    real_write = os.write
    calls = []

    def write_until_full(descriptor, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(file_store.os, "write", write_until_full)
    before = failures("write")

    with pytest.raises(Unavailable) as caught:
        store.write(os.urandom(2 * MIB + 1))  # two chunks at least: the second fails

    assert caught.value.code == "attachment.store_unavailable"
    assert failures("write") == before + 1
    assert len(calls) == 2
    assert everything_under(store.root) == []


def test_a_failed_flush_to_disk_leaves_no_file(store, monkeypatch):
    def fsync(descriptor):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(file_store.os, "fsync", fsync)

    with pytest.raises(Unavailable) as caught:
        store.write(b"never durable")

    assert caught.value.code == "attachment.store_unavailable"
    assert everything_under(store.root) == []


def test_a_failure_after_the_rename_still_leaves_no_file(store, monkeypatch):
    real_fsync = os.fsync
    folders = []

    def fsync(descriptor):
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):
            folders.append(descriptor)
            if len(folders) > 1:  # the first makes the new folder durable, then the rename
                raise OSError(errno.EIO, "Input/output error")
        return real_fsync(descriptor)

    monkeypatch.setattr(file_store.os, "fsync", fsync)

    with pytest.raises(Unavailable):
        store.write(b"renamed, then the folder could not be flushed")

    assert everything_under(store.root) == []


def test_a_store_whose_folder_cannot_be_made_refuses_the_write(tmp_path):
    (tmp_path / "not-a-folder").write_bytes(b"")
    store = FileStore(tmp_path / "not-a-folder")

    with pytest.raises(Unavailable) as caught:
        store.write(b"nowhere to go")

    assert caught.value.code == "attachment.store_unavailable"
    assert (tmp_path / "not-a-folder").read_bytes() == b""


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 256 KiB (a tmpfs; needs root, as ./deploy/test runs)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_real_full_disk_is_an_outage_and_leaves_no_file(small_disk):
    store = FileStore(small_disk / "attachments")
    kept = store.write(b"written while there was room")

    with pytest.raises(Unavailable) as caught:
        store.write(os.urandom(1 * MIB))

    assert caught.value.code == "attachment.store_unavailable"
    assert everything_under(store.root) == [f"{kept.key[:2]}/{kept.key}"]
    assert store.read(kept.key, kept.sha256) == b"written while there was room"


def test_a_block_that_fails_after_storing_deletes_the_file_again(store):
    seen = []

    def record_then_fail():
        with store.storing(sample.pdf()) as stored:
            seen.append(store.read(stored.key, stored.sha256))
            raise RuntimeError("the row was not committed")

    with pytest.raises(RuntimeError):
        record_then_fail()

    assert seen == [sample.pdf()]
    assert everything_under(store.root) == []


def test_a_block_that_succeeds_keeps_the_file(store):
    with store.storing(sample.pdf()) as stored:
        pass

    assert store.read(stored.key, stored.sha256) == sample.pdf()


# --- partial files and sweeps -------------------------------------------------------------------


def test_prepare_removes_partial_files_a_dead_writer_left_an_hour_ago_and_keeps_the_rest(store):
    kept = store.write(b"a stored file")
    folder = store.root / kept.key[:2]
    old, fresh = folder / f"{PARTIAL_PREFIX}old", folder / f"{PARTIAL_PREFIX}fresh"
    old.write_bytes(b"half")
    fresh.write_bytes(b"being written now")
    an_hour_ago = time.time() - 3601
    os.utime(old, (an_hour_ago, an_hour_ago))

    assert store.prepare() == 1

    assert not old.exists()
    assert fresh.exists()
    assert store.read(kept.key, kept.sha256) == b"a stored file"


def test_the_keys_older_than_a_time_are_listed_for_an_orphan_sweep(store):
    old, new = store.write(b"old"), store.write(b"new")
    path = store.root / old.key[:2] / old.key
    a_day_ago = time.time() - 86400
    os.utime(path, (a_day_ago, a_day_ago))
    (store.root / old.key[:2] / f"{PARTIAL_PREFIX}x").write_bytes(b"")

    assert set(store.keys()) == {old.key, new.key}
    assert list(store.keys(older_than_seconds=3600)) == [old.key]
    assert list(FileStore(store.root / "none").keys()) == []


# --- configuration and the dependency -----------------------------------------------------------


def test_the_settings_default_to_var_attachments_and_10_mib():
    settings = AttachmentSettings.from_config({})

    assert settings.directory == "var/attachments"
    assert settings.limits == ContentLimits(10 * MIB, 100 * MIB, 10_000)


def test_the_shipped_configuration_gives_the_defaults(monkeypatch):
    for name in ("IMI_CONFIG", "IMI_ATTACHMENTS_DIR", "IMI_ATTACHMENT_MAX_BYTES"):
        monkeypatch.delenv(name, raising=False)

    assert AttachmentSettings.from_config(load_config()) == AttachmentSettings()


def test_the_settings_are_read_from_the_attachments_block(tmp_path):
    config = {
        "ATTACHMENTS": {
            "DIR": str(tmp_path),
            "MAX_BYTES": "1048576",  # as an environment variable gives it
            "MAX_UNPACKED_BYTES": 5 * MIB,
            "MAX_ZIP_ENTRIES": "",
        }
    }

    settings = AttachmentSettings.from_config(config)

    assert settings.directory == str(tmp_path)
    assert settings.limits == ContentLimits(MIB, 5 * MIB, 10_000)
    with pytest.raises(ValueError, match="MAX_BYTES"):
        AttachmentSettings.from_config({"ATTACHMENTS": {"MAX_BYTES": 0}})


class FilesService:
    name = "attachment_files_test"

    attachments = AttachmentStore()

    @rpc
    def upload(self, content: bytes, name: str, declared: str) -> dict:
        accepted = self.attachments.check(content, name, "en", declared)
        stored = self.attachments.store.write(content)
        return {"key": stored.key, "sha256": stored.sha256, "media_type": accepted.media_type}

    @rpc
    def download(self, key: str, sha256: str) -> bytes:
        return self.attachments.store.read(key, sha256)


@pytest.fixture
def files_container(container_factory, service_config, tmp_path):
    config = {
        **service_config,
        "ATTACHMENTS": {"DIR": str(tmp_path / "store"), "MAX_BYTES": 4096},
    }
    container = container_factory(FilesService, config)
    container.start()
    return container


def test_a_service_stores_checks_and_reads_through_its_dependency(files_container, tmp_path):
    with entrypoint_hook(files_container, "upload") as upload:
        stored = upload(sample.pdf(), "certificate.pdf", PDF)
    with entrypoint_hook(files_container, "download") as download:
        content = download(stored["key"], stored["sha256"])

    assert content == sample.pdf()
    assert stored["media_type"] == PDF
    assert (tmp_path / "store" / stored["key"][:2] / stored["key"]).exists()


def test_the_dependency_checks_against_the_configured_limit(files_container, tmp_path):
    with (
        entrypoint_hook(files_container, "upload") as upload,
        pytest.raises(ValidationFailed) as caught,
    ):
        upload(b"x" * 4097, "long.txt", "text/plain")

    assert (caught.value.code, caught.value.extra["max_bytes"]) == ("attachment.too_large", 4096)
    assert everything_under(tmp_path / "store") == []


def test_the_sweep_deletes_old_files_no_attachment_names_and_keeps_the_others(tmp_path):
    """A worker killed between storing a file and committing its row leaves the file: the
    service's sweep finds it by its age and the missing row."""
    store = FileStore(tmp_path / "files")
    store.prepare()
    named, orphan, fresh = (store.write(f"file {n}".encode()) for n in range(3))
    long_ago = time.time() - ORPHAN_AFTER_SECONDS - 60
    for stored in (named, orphan):
        os.utime(store.root / stored.key[:2] / stored.key, (long_ago, long_ago))
    engine = create_engine(f"sqlite:///{tmp_path / 'requests.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Attachment(
            id="a-1", request_id="r-1", store_key=named.key, sha256=named.sha256,
            size=named.size, media_type="text/plain", name="a.txt", language="en",
            side="requester", uploaded_by="u-1", uploaded_at=datetime.now(UTC),
        ))  # fmt: skip
        session.flush()
        swept = sweep_orphans(session, store)

    assert swept == 1
    assert store.read(named.key, named.sha256) == b"file 0"
    assert store.read(fresh.key, fresh.sha256) == b"file 2"
    assert orphan.key not in set(store.keys())
