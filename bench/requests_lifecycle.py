"""The load of full request life cycles through the gateway: N clients, each with its own
pair of request handlers of two authorities, each going round create → send → accept →
reply draft → send the full reply → close, as fast as the answers come, on keep-alive
connections. Every call carries the version the previous answer gave.

    python -m bench.requests_lifecycle BASE_URL PAIRS_JSON --concurrency N --warmup S --seconds S
        [--minimal]

PAIRS_JSON holds one object per client: the requester's and responder's access tokens, the
responder's id and the request to create. Prints the phase lines of bench.measure and, last,
the figures of the measured window: the life cycles that ended in it (count, p50, p99 of
their whole duration) and each step's p50 and p99 in ``details``. With ``--minimal`` every
step asks for no view of the request (``Prefer: return=minimal``), as a client that reads the
request only when it shows it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit

from bench.http_client import Phases
from bench.measure import MEASURED, measure_done, percentile, warmup_done

API = "/api/v1/requests"
STEPS = ("create", "send", "accept", "reply_draft", "send_full_reply", "close")


class Refused(RuntimeError):
    pass


class Client:
    """One keep-alive connection to the gateway, JSON in and out."""

    def __init__(self, base: str, minimal: bool = False):
        self.minimal = minimal
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, method: str, path: str, token: str, body: dict) -> dict:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if self.minimal:
            headers["Prefer"] = "return=minimal"
        try:
            self.connection.request(method, path, body=json.dumps(body), headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            raise
        if response.status not in (200, 201):
            raise Refused(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload)


def life_cycle(client: Client, pair: dict, timings: dict[str, float]) -> None:
    """One request from creation to closure; each step's time in ``timings``."""
    requester, responder = pair["requester_token"], pair["responder_token"]

    def step(name: str, method: str, path: str, token: str, body: dict) -> dict:
        started = time.perf_counter()
        answer = client.call(method, path, token, body)
        timings[name] = time.perf_counter() - started
        return answer

    draft = step("create", "POST", API, requester, pair["request"])
    one = f"{API}/{draft['id']}"
    sent = step("send", "POST", f"{one}/actions/send", requester, {"version": draft["version"]})
    accepted = step(
        "accept", "POST", f"{one}/actions/accept", responder, {"version": sent["version"]}
    )
    drafted = step(
        "reply_draft",
        "PUT",
        f"{one}/reply-draft",
        responder,
        {"version": accepted["version"], "answers": pair["answers"]},
    )
    replied = step(
        "send_full_reply",
        "POST",
        f"{one}/actions/send_full_reply",
        responder,
        {"version": drafted["version"]},
    )
    if replied["status"] != "answered":
        raise Refused(f"the reply left the request {replied['status']}")
    step("close", "POST", f"{one}/actions/close", requester, {"version": replied["version"]})


def worker(base: str, pair: dict, phases: Phases, done: list, errors: list, minimal: bool) -> None:
    client = Client(base, minimal)
    while time.perf_counter() < phases.measure_until:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        try:
            life_cycle(client, pair, timings)
            ok = True
        except (Refused, OSError, http.client.HTTPException, ValueError, KeyError) as failed:
            ok = False
            if len(errors) < 3:
                print(f"life cycle failed: {failed}", file=sys.stderr, flush=True)
        ended = time.perf_counter()
        if phases.measure_from <= ended <= phases.measure_until:
            (done if ok else errors).append((ended - started, timings))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.requests_lifecycle")
    parser.add_argument("base")
    parser.add_argument("pairs")
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--minimal", action="store_true", help="Prefer: return=minimal")
    args = parser.parse_args(argv)
    with open(args.pairs, encoding="utf-8") as source:
        pairs = json.load(source)
    if len(pairs) < args.concurrency:
        parser.error(f"{len(pairs)} pairs of users for {args.concurrency} clients")
    phases = Phases(args.warmup, args.seconds)
    done: list = []
    errors: list = []
    threads = [
        threading.Thread(target=worker, args=(args.base, pair, phases, done, errors, args.minimal))
        for pair in pairs[: args.concurrency]
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, phases.measure_from - time.perf_counter()))
    warmup_done(sys.stdout)
    time.sleep(max(0.0, phases.measure_until - time.perf_counter()))
    measure_done(sys.stdout)
    for thread in threads:
        thread.join()
    whole = sorted(seconds for seconds, _ in done)
    details = {}
    for name in STEPS:
        taken = sorted(timings[name] for _, timings in done)
        details[name] = {
            "p50_ms": 1000 * percentile(taken, 0.5),
            "p99_ms": 1000 * percentile(taken, 0.99),
        }
    figures = {
        "requests": len(whole),
        "seconds": args.seconds,
        "p50_ms": 1000 * percentile(whole, 0.5),
        "p99_ms": 1000 * percentile(whole, 0.99),
        "errors": len(errors),
        "details": details,
    }
    sys.stdout.write(f"{MEASURED} {json.dumps(figures)}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
