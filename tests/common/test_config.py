"""Configuration: the YAML file with ``${ENV:default}`` overrides, database URIs, and the
switch of the demo data."""

from __future__ import annotations

import pytest

from services.common import config as config_module
from services.common.config import (
    AMQP_URI,
    DB_URIS,
    REPO_ROOT,
    RPC_TIMEOUT,
    database_uri,
    demo_allowed,
    load_config,
)

CONFIG_YAML = """\
AMQP_URI: ${IMI_TEST_KERNEL_AMQP:pyamqp://guest:guest@127.0.0.1:5672/}
RPC_TIMEOUT: ${IMI_TEST_KERNEL_TIMEOUT:10}
DB_URIS:
  notes: sqlite:///${IMI_TEST_KERNEL_VAR:var}/notes.db
PLAIN: no substitution here
"""


def write_config(tmp_path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG_YAML, encoding="utf-8")
    return str(path)


def test_unset_environment_variables_take_their_defaults(tmp_path, monkeypatch):
    for name in ("IMI_TEST_KERNEL_AMQP", "IMI_TEST_KERNEL_TIMEOUT", "IMI_TEST_KERNEL_VAR"):
        monkeypatch.delenv(name, raising=False)

    config = load_config(write_config(tmp_path))

    assert config[AMQP_URI] == "pyamqp://guest:guest@127.0.0.1:5672/"
    assert config[RPC_TIMEOUT] == 10
    assert config[DB_URIS]["notes"] == "sqlite:///var/notes.db"
    assert config["PLAIN"] == "no substitution here"


def test_environment_variables_override_the_defaults_and_keep_their_yaml_type(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("IMI_TEST_KERNEL_AMQP", "pyamqp://imi:secret@broker:5672/prod")
    monkeypatch.setenv("IMI_TEST_KERNEL_TIMEOUT", "2.5")
    monkeypatch.setenv("IMI_TEST_KERNEL_VAR", "/srv/imi")

    config = load_config(write_config(tmp_path))

    assert config[AMQP_URI] == "pyamqp://imi:secret@broker:5672/prod"
    assert config[RPC_TIMEOUT] == 2.5
    assert config[DB_URIS]["notes"] == "sqlite:////srv/imi/notes.db"


def test_without_a_path_the_file_named_by_imi_config_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("IMI_CONFIG", write_config(tmp_path))
    monkeypatch.setenv("IMI_TEST_KERNEL_TIMEOUT", "3")

    assert load_config()[RPC_TIMEOUT] == 3


def test_the_shipped_configuration_loads_with_its_defaults(monkeypatch):
    monkeypatch.delenv("IMI_CONFIG", raising=False)
    monkeypatch.delenv("IMI_AMQP_URI", raising=False)

    config = load_config()

    assert config[AMQP_URI].startswith("pyamqp://")
    assert isinstance(config[RPC_TIMEOUT], int | float)


def test_the_repo_root_is_the_folder_holding_the_project():
    assert (REPO_ROOT / "pyproject.toml").is_file()
    assert (REPO_ROOT / "services" / "common" / "config.py").is_file()


def test_a_relative_sqlite_path_is_taken_from_the_repo_root_and_its_folder_is_made(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(config_module, "REPO_ROOT", tmp_path)
    config = {DB_URIS: {"notes": "sqlite:///var/kernel/notes.db"}}

    uri = database_uri(config, "notes")

    assert uri == f"sqlite:///{tmp_path}/var/kernel/notes.db"
    assert (tmp_path / "var" / "kernel").is_dir()


def test_a_relative_sqlite_path_resolves_against_the_real_repo_root():
    uri = database_uri({DB_URIS: {"notes": "sqlite:///var/notes.db"}}, "notes")

    assert uri == f"sqlite:///{REPO_ROOT / 'var' / 'notes.db'}"


def test_absolute_sqlite_paths_and_other_databases_are_left_alone(tmp_path):
    config = {
        DB_URIS: {
            "notes": f"sqlite:///{tmp_path}/notes.db",
            "alerts": "postgresql+psycopg2://imi@db:5432/alerts",
        }
    }

    assert database_uri(config, "notes") == f"sqlite:///{tmp_path}/notes.db"
    assert database_uri(config, "alerts") == "postgresql+psycopg2://imi@db:5432/alerts"


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "OFF"])
def test_imi_demo_data_turns_every_service_s_demo_data_off(value, monkeypatch):
    monkeypatch.setenv("IMI_DEMO_DATA", value)

    config = load_config(config_module.DEFAULT_CONFIG_FILE)

    assert not demo_allowed(config)
    assert not demo_allowed(config, "DIRECTORY")


def test_demo_data_is_on_unless_a_switch_it_stands_on_is_off(monkeypatch):
    monkeypatch.delenv("IMI_DEMO_DATA", raising=False)

    assert demo_allowed(load_config(config_module.DEFAULT_CONFIG_FILE), "DIRECTORY")
    assert demo_allowed({})
    assert not demo_allowed({"DEMO_DATA": False})  # prepare --no-demo
    assert demo_allowed({"DIRECTORY": {"DEMO_DATA": 0}})
    assert not demo_allowed({"DIRECTORY": {"DEMO_DATA": 0}}, "DIRECTORY")
