"""The API contract, fuzzed: the whole OpenAPI document against the whole running system.

    ./deploy/conformance [--max-examples 25] [--seed N] [--workers 2] [--keep]

(``./deploy/conformance`` makes a fresh RabbitMQ vhost, exports it as IMI_AMQP_URI, runs this
module and deletes the vhost.) Here: fresh SQLite databases, migrated and loaded with the
reference lists, the shipped texts and the demo directory, as ``services.manage prepare``
does; every service of deploy/services and the gateway, each in its own ``nameko run``
process; the first login of the Commission administrator created by the preparation; then
Schemathesis on the gateway's own /api/v1/openapi.json with every check it has
(``--checks all``) and every phase (examples, coverage, fuzzing, stateful), logged in as that
administrator (bench/conformance_auth.py logs in again when a token is refused, e.g. after
the fuzzer called logout). It prints the figures (operations, test cases, failures per check)
and exits with Schemathesis's status: 0 when nothing failed. docs/api-conformance.md says
what a failure means and where to mend it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bench.broker import queued_messages
from bench.login import activate
from bench.processes import (
    REPO_ROOT,
    ProcessGroup,
    StartError,
    free_port,
    nameko_run,
    wait_for_http,
)
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.migrations import upgrade
from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.identity.bootstrap import create_commission_administrator
from services.manage import deployed_services
from services.requests.bootstrap import publish_shipped_sets
from services.translation.bootstrap import prepare_translation

START_TIMEOUT_SECONDS = 120
SETTLE_TIMEOUT_SECONDS = 300
SETTLED_CHECKS = 3  # seconds in a row with no message queued
DOCUMENT = "/api/v1/openapi.json"
AUTH_HOOKS = "bench.conformance_auth"
SETTINGS = REPO_ROOT / "bench" / "schemathesis.toml"
# What `--checks all` runs in Schemathesis 4.32, and the failures (their report's "type")
# each check raises: the figures name every check, failed or not.
CHECKS = {
    "not_a_server_error": ("ServerError", "ContentTypeServerError"),
    "status_code_conformance": ("UndefinedStatusCode",),
    "content_type_conformance": (
        "MissingContentType", "UndefinedContentType", "MalformedMediaType",
    ),
    "response_headers_conformance": ("MissingHeaders",),
    "response_schema_conformance": (
        "JsonSchemaError", "MalformedJson", "ContentDeserializationError", "DiscriminatorMismatch",
    ),
    "negative_data_rejection": ("AcceptedNegativeData",),
    "positive_data_acceptance": ("RejectedPositiveData",),
    "missing_required_header": ("MissingHeaderNotRejected",),
    "unsupported_method": ("UnsupportedMethodResponse",),
    "allow_header_conformance": ("AllowHeaderMismatch",),
    "use_after_free": ("UseAfterFree",),
    "ensure_resource_availability": ("EnsureResourceAvailability",),
    "ignored_auth": ("IgnoredAuth",),
    "object_level_authorization": ("ObjectLevelAuthorizationViolation",),
}  # fmt: skip


def log(message: str) -> None:
    print(f"conformance: {message}", file=sys.stderr, flush=True)


def stack_config(folder: Path, gateway_port: int) -> dict:
    """deploy/config.yaml with what a run must own replaced: databases, keys and ports; and
    limits a fuzzer would otherwise hit (the login rate, a token's life)."""
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = os.environ.get("IMI_AMQP_URI", config[AMQP_URI])
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{gateway_port}"
    services = deployed_services()
    config[DB_URIS] = {name: f"sqlite:///{folder / f'{name}.db'}" for name in services}
    config[SERVICE_HTTP_PORTS] = {name: free_port() for name in services}
    config["KEYS"] = {"DIR": str(folder / "keys")}
    config["IDENTITY"] = {**config["IDENTITY"], "KEY_DIR": str(folder / "keys"),
                          "ACCESS_TOKEN_SECONDS": 3600}  # fmt: skip
    config["GATEWAY"] = {**config["GATEWAY"], "SERVICES": services,
                         "LOGIN_RATE_PER_MINUTE": 1_000_000}  # fmt: skip
    # The local engine without models: machine translation answers, for no language pair.
    config["TRANSLATION"] = {**config["TRANSLATION"], "ENGINE": "ctranslate2",
                             "MODEL_DIR": str(folder / "models")}  # fmt: skip
    return config


def prepare(config: dict) -> tuple[str, str]:
    """The operator's preparation of fresh databases; the first administrator's username and
    temporary password."""
    uris = config[DB_URIS]
    for service, uri in uris.items():
        upgrade(service, uri)
    prepare_directory(uris["directory"])
    load_demo(uris["directory"])
    prepare_translation(uris["translation"])
    publish_shipped_sets(uris["requests"])
    created = create_commission_administrator(uris["identity"], config["IDENTITY"]["KEY_DIR"])
    if created is None:
        raise StartError("the fresh identity database already had an administrator")
    return created


def start(group: ProcessGroup, config: dict, folder: Path) -> str:
    """Every service and the gateway, until /health answers 200: the gateway's address."""
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    processes = [
        group.start(name, nameko_run(config_file, f"services.{name}.service"))
        for name in config[DB_URIS]
    ]
    gateway = nameko_run(config_file, "gateway.service:GatewayService")
    processes.append(group.start("gateway", gateway))
    base = f"http://{config['WEB_SERVER_ADDRESS']}"
    wait_for_http(f"{base}/health", processes, START_TIMEOUT_SECONDS, status=200)
    return base


def settle(amqp_uri: str) -> None:
    """Wait until the services have handled what preparation left for them (the demo
    authorities' events above all), so that the fuzzer meets services with time for it: one
    busy translating hundreds of informal titles answers late, a 503 that says nothing of the
    API."""
    vhost = unquote(urlsplit(amqp_uri).path.lstrip("/")) or "/"
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    quiet = 0
    while quiet < SETTLED_CHECKS and time.monotonic() < deadline:
        quiet = quiet + 1 if queued_messages(vhost) == 0 else 0
        time.sleep(1)
    log("the services have handled their events" if quiet >= SETTLED_CHECKS
        else f"events still queued after {SETTLE_TIMEOUT_SECONDS} s; fuzzing anyway")  # fmt: skip


def schemathesis_command(base: str, args: argparse.Namespace, report: Path) -> list[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(SETTINGS), "run",
        base + DOCUMENT, "--url", base,
        "--checks", "all", "--max-examples", str(args.max_examples),
        "--workers", str(args.workers), "--report", "json", "--report-json-path", str(report),
        "--generation-database", "none", "--no-color",
    ]  # fmt: skip
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    return command + args.schemathesis


def figures(report: dict) -> str:
    """Operations, test cases, and failures per check, from Schemathesis's JSON report."""
    operations, cases = report["operations"] or {}, report["test_cases"]
    phases = report["phases"] or {}
    failed: dict[str, int] = {}
    for group in report["failures"]:
        failed[group["type"]] = failed.get(group["type"], 0) + group["count"]
    lines = [
        f"schemathesis {report['schemathesis_version']}, seed {report['seed']}, "
        f"{report['running_time']:.0f} s",
        f"operations: {operations.get('tested', 0)} tested of {operations.get('total', 0)}"
        f" ({operations.get('errored', 0)} errored, {operations.get('skipped', 0)} skipped)",
        f"test cases: {cases['generated']} generated, {cases['with_failures']} with failures,"
        f" {cases['errored']} errored",
        "phases: " + ", ".join(f"{name} {p['status']}" for name, p in phases.items()),
        "failures per check:",
        *(
            f"  {check:<30} {sum(failed.pop(kind, 0) for kind in kinds)}"
            for check, kinds in CHECKS.items()
        ),
        *(f"  {kind:<30} {count}" for kind, count in failed.items()),
        f"errors: {sum(error['count'] for error in report['errors'])}",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./deploy/conformance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run's data")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs, dbs)")
    parser.add_argument("schemathesis", nargs=argparse.REMAINDER,
                        help="after --: more options for schemathesis run")  # fmt: skip
    args = parser.parse_args(argv)
    if args.schemathesis[:1] == ["--"]:
        args.schemathesis = args.schemathesis[1:]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="imi-conformance-"))
    status = 1
    try:
        config = stack_config(folder, free_port())
        log(f"preparing fresh databases in {folder}")
        username, temporary_password = prepare(config)
        with ProcessGroup(folder) as group:
            log("starting " + ", ".join([*config[DB_URIS], "gateway"]))
            base = start(group, config, folder)
            settle(config[AMQP_URI])
            password, code = activate(base, username, temporary_password)
            log(f"the Commission administrator {username} is logged in; fuzzing {base}{DOCUMENT}")
            report = folder / "schemathesis.json"
            environment = {
                **os.environ,
                "SCHEMATHESIS_HOOKS": AUTH_HOOKS,
                "IMI_CONFORMANCE_BASE": base,
                "IMI_CONFORMANCE_USERNAME": username,
                "IMI_CONFORMANCE_PASSWORD": password,
                "IMI_CONFORMANCE_CODE": code,
            }
            status = subprocess.run(
                schemathesis_command(base, args, report), cwd=REPO_ROOT, env=environment,
                check=False,
            ).returncode  # fmt: skip
        if report.exists():
            print(figures(json.loads(report.read_text())), flush=True)
    finally:
        if args.keep or status != 0:
            log(f"the run's folder (logs, databases, report) is kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
