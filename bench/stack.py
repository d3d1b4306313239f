"""Scenario (a): the real identity service and gateway, prepared and logged into as in
production, serving GET /api/v1/users/me.

The configuration is deploy/config.yaml as the services read it, with only what a run must own
replaced: the broker vhost, the ports, the SQLite database and the key folder (both under the
run's folder), and an access-token lifetime longer than the run. Everything else (worker
count, RPC timeout, logging) stays as deployed, because it is part of what is measured.
"""

from __future__ import annotations

import copy
from pathlib import Path

import requests
import yaml

from bench.login import HTTP_TIMEOUT_SECONDS, log_in_first_time
from bench.processes import ProcessGroup, StartError, free_port, nameko_run, wait_for_http
from bench.scenario import Context, Target
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.migrations import upgrade
from services.identity.bootstrap import create_commission_administrator

API = "/api/v1"
ME = f"{API}/users/me"
START_TIMEOUT_SECONDS = 90


def stack_config(base: dict, context: Context, folder: Path, gateway_port: int) -> dict:
    config = copy.deepcopy(base)
    config[AMQP_URI] = context.amqp_uri
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{gateway_port}"
    config[DB_URIS] = {"identity": f"sqlite:///{folder / 'identity.db'}"}
    config[SERVICE_HTTP_PORTS] = {"identity": free_port()}
    # Only identity runs here, so the gateway's /health asks only identity.
    config["GATEWAY"] = {**(config.get("GATEWAY") or {}), "SERVICES": ["identity"]}
    config["KEYS"] = {"DIR": str(folder / "keys")}
    identity = dict(config.get("IDENTITY") or {})
    identity["KEY_DIR"] = str(folder / "keys")
    identity["ACCESS_TOKEN_SECONDS"] = context.access_token_seconds
    config["IDENTITY"] = identity
    return config


def start_stack(group: ProcessGroup, context: Context) -> Target:
    folder = context.work_dir / "stack"
    folder.mkdir()
    port = free_port()
    config = stack_config(load_config(), context, folder, port)
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))

    uri = config[DB_URIS]["identity"]
    upgrade("identity", uri)
    created = create_commission_administrator(uri, config["IDENTITY"]["KEY_DIR"])
    if created is None:
        raise StartError("the fresh identity database already had an administrator")
    username, temporary_password = created

    patches = context.patches
    identity = group.start(
        "a-identity", nameko_run(config_file, "services.identity.service", patches=patches)
    )
    gateway = group.start(
        "a-gateway", nameko_run(config_file, "gateway.service:GatewayService", patches=patches)
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", [identity, gateway], START_TIMEOUT_SECONDS, status=200)

    token = log_in_first_time(base, username, temporary_password)
    check_me(base, token, username)
    headers = {"Authorization": f"Bearer {token}"}
    return Target(
        context.http_load(base + ME, headers), {"gateway": gateway.pid, "service": identity.pid}
    )


def check_me(base: str, token: str, username: str) -> None:
    response = requests.get(
        base + ME, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_SECONDS
    )
    if response.status_code != 200 or response.json().get("username") != username:
        raise StartError(f"GET {ME}: {response.status_code} {response.text}")
