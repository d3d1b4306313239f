"""A bundle of 1,000 texts in one language through RPC: what rendering a page in any language
costs a service that has no bundle cached yet.

    .venv/bin/python -m bench.translation_bundle [--amqp-uri URI] [--entries 1000]
        [--calls 300] [--language de]

It builds a fresh catalogue in a temporary folder (the Alembic migrations, then ``entries``
texts in the namespace ``bench.bundle``: three in four translated, the rest missing so the
fallback path is measured too), starts the real service with ``nameko run`` on
deploy/config.yaml (only the broker, the database and the ops port replaced, as bench/stack.py
does), and calls ``translation.bundle`` one call at a time from a standalone nameko RPC
client: a warm-up, then ``calls`` measured calls. It prints p50, p99 and the reply's size.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
import time
from pathlib import Path

import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from bench.measure import percentile
from bench.processes import ProcessGroup, StartError, free_port, nameko_run
from services.common.actor import Actor, Grant, Right, dump_actor
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.db import StandaloneDatabase
from services.common.migrations import upgrade
from services.translation.bootstrap import load_shipped
from services.translation.models import Base

NAMESPACE = "bench.bundle"
WARMUP_CALLS = 30
START_TIMEOUT_SECONDS = 90
READER = dump_actor(
    Actor(
        "bench-reader",
        "bench",
        "bench-authority",
        "DE",
        grants=frozenset({Grant(Right.BASIC_USER)}),
    )
)


def fill_catalogue(uri: str, entries: int, language: str) -> None:
    upgrade("translation", uri)
    database = StandaloneDatabase(Base, "translation", uri)
    unit = database.unit_of_work()
    generated = (
        {
            "key": f"{NAMESPACE}.label_{number:05d}",
            "namespace": NAMESPACE,
            "source_language": "en",
            "source_text": f"Question {number}: which documents prove the qualification?",
            "description": "A generated text of the benchmark.",
            "max_length": None,
            "owner": "bench",
            "texts": {language: f"Frage {number}: Welche Unterlagen belegen die Qualifikation?"}
            if number % 4
            else {},
        }
        for number in range(entries)
    )
    try:
        load_shipped(unit, generated)
        unit.commit()
    finally:
        unit.close()
        database.dispose()


def start_service(group: ProcessGroup, folder: Path, amqp_uri: str) -> dict:
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = amqp_uri
    config[DB_URIS] = {"translation": f"sqlite:///{folder / 'translation.db'}"}
    config[SERVICE_HTTP_PORTS] = {"translation": free_port()}
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    group.start("translation", nameko_run(config_file, "services.translation.service"))
    return config


def wait_until_serving(proxy, group: ProcessGroup, query: dict) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        for process in group.processes:
            process.check_alive()
        try:
            proxy.translation.bundle(READER, query)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise StartError("the translation service did not answer in time") from None
            time.sleep(0.5)


def measure(args: argparse.Namespace) -> dict:
    query = {"language": args.language, "namespaces": [NAMESPACE]}
    with tempfile.TemporaryDirectory(prefix="imi-bench-bundle-") as work:
        folder = Path(work)
        fill_catalogue(f"sqlite:///{folder / 'translation.db'}", args.entries, args.language)
        with ProcessGroup(folder) as group:
            config = start_service(group, folder, args.amqp_uri)
            with ClusterRpcProxy({AMQP_URI: args.amqp_uri}, timeout=30) as proxy:
                wait_until_serving(proxy, group, query)
                for _ in range(WARMUP_CALLS):
                    proxy.translation.bundle(READER, query)
                latencies = []
                for _ in range(args.calls):
                    started = time.perf_counter()
                    bundle = proxy.translation.bundle(READER, query)
                    latencies.append(time.perf_counter() - started)
    assert len(bundle["texts"]) == args.entries, "the bundle must hold every entry"
    latencies.sort()
    return {
        "entries": args.entries,
        "language": args.language,
        "calls": args.calls,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "reply_kib": round(len(json.dumps(bundle, ensure_ascii=False).encode()) / 1024, 1),
        "fallbacks": sum(text["fallback"] for text in bundle["texts"].values()),
        "max_workers": config.get("max_workers"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.translation_bundle")
    parser.add_argument(
        "--amqp-uri", default=os.environ.get("IMI_AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    )
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--language", default="de")
    print(json.dumps(measure(parser.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
