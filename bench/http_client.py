"""The HTTP load generator used only when wrk cannot be had: N threads, keep-alive, one
connection each, each request timed. It costs far more CPU than wrk on the cores it shares
with what it measures, so its figures are a lower bound; the table names the generator.

    python -m bench.http_client URL [--header 'Name: value'] --concurrency N --warmup S --seconds S
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from urllib.parse import urlsplit

from bench.measure import measure_done, report, warmup_done


class Phases:
    """Shared clock of the threads: warming up, measuring, stopping."""

    def __init__(self, warmup: float, seconds: float):
        self.started = time.perf_counter()
        self.measure_from = self.started + warmup
        self.measure_until = self.measure_from + seconds


def worker(url, headers, phases: Phases, latencies: list, errors: list) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    while True:
        started = time.perf_counter()
        if started >= phases.measure_until:
            break
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = 200 <= response.status < 400
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            ok = False
        ended = time.perf_counter()
        if started >= phases.measure_from and ended <= phases.measure_until:
            (latencies if ok else errors).append(ended - started)
    connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.http_client")
    parser.add_argument("url")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    headers = dict(header.split(": ", 1) for header in args.header)
    phases = Phases(args.warmup, args.seconds)
    latencies: list[float] = []
    errors: list[float] = []
    threads = [
        threading.Thread(target=worker, args=(args.url, headers, phases, latencies, errors))
        for _ in range(args.concurrency)
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, phases.measure_from - time.perf_counter()))
    warmup_done(sys.stdout)
    time.sleep(max(0.0, phases.measure_until - time.perf_counter()))
    measure_done(sys.stdout)
    for thread in threads:
        thread.join()
    report(sys.stdout, latencies, len(errors), args.seconds)


if __name__ == "__main__":
    main()
