"""Configuration: one YAML file (deploy/config.yaml) with ``${ENV:default}`` overrides.

nameko reads the same file for the services; this module reads it for everything that runs
outside a container (the command line, migrations, benchmarks) with nameko's own loader, so that
both see exactly the same values.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG_FILE = REPO_ROOT / "deploy" / "config.yaml"
SERVICES_FILE = REPO_ROOT / "deploy" / "services"

AMQP_URI = "AMQP_URI"
DB_URIS = "DB_URIS"
RPC_TIMEOUT = "RPC_TIMEOUT"
SERVICE_HTTP_PORTS = "SERVICE_HTTP_PORTS"
MAX_WORKERS = "max_workers"
# Off (false, 0, no, off): no service loads its demo data at ``services.manage prepare``
# (``--no-demo``, IMI_DEMO_DATA=0); each service's own block may turn its demo data off as well
# (DIRECTORY.DEMO_DATA)
DEMO_DATA = "DEMO_DATA"
SWITCHED_OFF = frozenset({"0", "false", "no", "off"})
DEFAULT_RPC_TIMEOUT = 10.0


def load_config(path: Path | str | None = None) -> dict:
    """Read the YAML configuration, substituting environment variables as nameko does."""
    _register_env_var_tags()
    config_path = Path(path or os.environ.get("IMI_CONFIG", DEFAULT_CONFIG_FILE))
    with config_path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@functools.cache
def _register_env_var_tags() -> None:
    setup_yaml_parser()


def deployed_services() -> list[str]:
    """The services of deploy/services, in its order: what is prepared, started and checked."""
    lines = SERVICES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def database_uri(config: dict, service_name: str) -> str:
    """The database URI of one service: its entry in ``DB_URIS``, else by convention
    ``IMI_<NAME>_DB`` or ``sqlite:///var/<name>.db``; relative SQLite paths are taken from the
    repo root."""
    uri = (
        (config.get(DB_URIS) or {}).get(service_name)
        or os.environ.get(f"IMI_{service_name.upper()}_DB")
        or f"sqlite:///var/{service_name}.db"
    )
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        path = REPO_ROOT / uri[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return uri


def demo_allowed(config: dict, *sections: str) -> bool:
    """Whether services may load their demo data: not when ``prepare --no-demo`` runs or
    DEMO_DATA (IMI_DEMO_DATA) is off, nor when the DEMO_DATA of one of ``sections`` (the
    blocks of the services whose demo data this one stands on, such as DIRECTORY) is off."""
    switches = [config.get(DEMO_DATA, True)]
    switches += [(config.get(section) or {}).get(DEMO_DATA, True) for section in sections]
    return all(str(switch).strip().lower() not in SWITCHED_OFF for switch in switches)
