"""``python -m services.manage prepare`` prepares every service in deploy/services by
convention: its migrations (the kernel's first), then the ``prepare(config, out)`` hook of its
bootstrap.py if it has one; what a hook asks the operator to note comes last (the first
administrator once, the demo users at every preparation with demo data on)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from services import manage
from services.common.kernel_tables import KERNEL_TABLE_NAMES
from services.identity.demo_roster import demo_user, demo_users

HOOK = """
from services.common.config import database_uri, demo_allowed

SERVICE = __name__.split(".")[1]


def prepare(config, out):
    print(f"{SERVICE}: prepared, demo data {demo_allowed(config)}", file=out)
    return f"{SERVICE}: note this once everything is ready"
"""


KEYS_LINE = "keys: each service's key pair, public halves in var/keys/keyring/"

FAILING_HOOK = """
def prepare(config, out):
    raise RuntimeError("the shipped data is broken")
"""


@pytest.fixture
def reference_dir(tmp_path, monkeypatch):
    """The reference data snapshot goes to the test's folder, not the repository's var/."""
    monkeypatch.setattr(manage, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(manage, "REFERENCE_DIR", tmp_path / "var" / "reference")
    return tmp_path / "var" / "reference"


def config_for(services: list[str], tmp_path) -> dict:
    return {
        "DB_URIS": {service: f"sqlite:///{tmp_path / service}.db" for service in services},
        "IDENTITY": {"KEY_DIR": str(tmp_path / "keys")},
        "KEYS": {"DIR": str(tmp_path / "var" / "keys")},
        "DIRECTORY": {"DEMO_DATA": True},
    }


def prepared(config: dict, **options) -> list[str]:
    out = io.StringIO()
    manage.prepare(config, out, **options)
    return out.getvalue().splitlines()


def tables(uri: str) -> set[str]:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_new_service_is_migrated_and_prepared_by_its_hook(new_service, reference_dir, tmp_path):
    hooked = new_service(bootstrap=HOOK)
    bare = new_service()
    config = config_for([hooked, bare], tmp_path)

    lines = prepared(config, demo=False, services=[hooked, bare])

    assert lines == [
        f"database of {hooked}: migrated",
        f"database of {bare}: migrated",
        f"{hooked}: prepared, demo data False",
        "reference data: var/reference/",
        KEYS_LINE,
        f"{hooked}: note this once everything is ready",
    ]
    for service in (hooked, bare):
        assert {"notes", *KERNEL_TABLE_NAMES} <= tables(config["DB_URIS"][service])
    assert (reference_dir / "member_states.json").exists()
    for service in (hooked, bare):  # each service's key pair, by convention
        assert (tmp_path / "var" / "keys" / "keyring" / "services" / f"{service}.pem").exists()


def test_a_notice_is_shown_even_when_a_later_service_fails_to_prepare(
    new_service, reference_dir, tmp_path
):
    hooked = new_service(bootstrap=HOOK)
    failing = new_service(bootstrap=FAILING_HOOK)
    out = io.StringIO()

    with pytest.raises(RuntimeError):
        manage.prepare(config_for([hooked, failing], tmp_path), out, services=[hooked, failing])

    assert out.getvalue().splitlines()[-1] == f"{hooked}: note this once everything is ready"


def test_without_no_demo_the_hooks_may_load_demo_data(new_service, reference_dir, tmp_path):
    hooked = new_service(bootstrap=HOOK)

    lines = prepared(config_for([hooked], tmp_path), services=[hooked])

    assert f"{hooked}: prepared, demo data True" in lines


def test_prepare_shows_the_first_administrator_last_and_once(reference_dir, tmp_path):
    config = config_for(manage.deployed_services(), tmp_path)

    first = prepared(config, demo=False)
    again = prepared(config, demo=False)

    migrated = [f"database of {service}: migrated" for service in manage.deployed_services()]
    assert first[: len(migrated)] == migrated
    assert "directory: reference lists loaded" in first
    assert not [line for line in first if "demo data" in line]
    administrator = first.index(
        "First Commission administrator (shown once; change the password at first login):"
    )
    assert first[administrator - 3 : administrator - 1] == [
        "reference data: var/reference/",
        KEYS_LINE,
    ]
    assert first[administrator + 1].startswith("  username:           ")
    assert first[administrator + 2].startswith("  temporary password: ")
    assert [line for line in first[administrator + 3 :] if line] == []
    assert not [line for line in again if "Commission administrator" in line]
    assert again[-2:] == ["reference data: var/reference/", KEYS_LINE]
    assert "translation: shipped texts loaded (0 translations written)" in again


@pytest.mark.parametrize(("demo", "loaded"), [(True, True), (False, False)])
def test_the_directory_loads_its_demo_data_unless_told_not_to(
    demo, loaded, reference_dir, tmp_path
):
    lines = prepared(config_for(["directory"], tmp_path), demo=demo, services=["directory"])

    demo_lines = [line for line in lines if line.startswith("directory: demo data (")]
    assert bool(demo_lines) is loaded


def count(uri: str, table: str) -> int:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
    finally:
        engine.dispose()


def test_with_demo_data_the_demo_users_are_shown_last_at_every_preparation(reference_dir, tmp_path):
    services = ["identity", "requests"]
    config = config_for(services, tmp_path)

    first = prepared(config, services=services)
    again = prepared(config, services=services)

    users = [person.username for person in demo_users()]
    assert f"identity: demo users ({len(users)} added; IMI_DEMO_DATA=0 skips them)" in first
    assert "identity: demo users (0 added; IMI_DEMO_DATA=0 skips them)" in again
    assert "requests: demo requests (0 added; IMI_DEMO_DATA=0 skips them)" in again
    assert "requests: past requests for the statistics (0 added)" in again
    for lines in (first, again):
        heading = next(n for n, line in enumerate(lines) if line.startswith("Demo users"))
        shown = [line.split() for line in lines[heading + 2 :] if line]
        assert [row[0] for row in shown] == users
        handler = demo_user("it-roma-handler")
        assert shown[users.index(handler.username)][1:4] == [
            handler.password, handler.security_code, "IT",
        ]  # fmt: skip
    assert count(config["DB_URIS"]["requests"], "requests") > 0


@pytest.mark.parametrize("switch", [{"DEMO_DATA": "0"}, {"DIRECTORY": {"DEMO_DATA": "false"}}])
def test_with_demo_data_off_there_are_no_demo_users_nor_demo_requests(
    switch, reference_dir, tmp_path
):
    services = ["identity", "requests"]
    config = {**config_for(services, tmp_path), **switch}

    lines = prepared(config, services=services)

    assert not [line for line in lines if "demo" in line.lower()]
    assert count(config["DB_URIS"]["identity"], "users") == 1  # the Commission administrator
    assert count(config["DB_URIS"]["requests"], "requests") == 0
    assert count(config["DB_URIS"]["requests"], "known_authorities") == 0
