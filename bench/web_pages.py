"""Benchmark: the weight and the speed of the main web pages, in a real browser.

    .venv/bin/python -m bench.web_pages [--url http://localhost:8000] [--repeat 20]
        [--chromium /usr/bin/chromium]

Against a running system (``./deploy/run`` with its demo data), Debian's chromium (driven by
Playwright) logs in as two demo users (Budapest's request handler for the daily work, Hungary's
national coordinator for the directory, user management and the dashboard) and opens each main
page ``--repeat`` times: once in a
fresh profile (nothing cached, as a first visit on an office machine) and then again with
the profile's cache (as the next page of a visit). For each it records the bytes transferred
(compressed bodies and headers, every request the page made) and the time from the start of
the navigation to the end of its ``load`` event (the page shown and usable).
docs/performance.md ("Web pages") has the figures. The aim: every main page under 200 KB
transferred and usable within 1 s on loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics

from playwright.sync_api import Page, sync_playwright

from bench.measure import percentile
from services.identity.demo_roster import demo_user

HANDLER, COORDINATOR = "hu-budapest-handler", "hu-coordinator"
# (name, path, user): a path "first:<list>" is the first row's link of that list, as found
PAGES = (
    ("login", "/login", None),
    ("home", "/", HANDLER),
    ("action list", "/requests", HANDLER),
    ("all requests", "/requests?box=all", HANDLER),
    ("request", "first:/requests?box=all", HANDLER),
    ("new request", "/requests/new", HANDLER),
    ("inbox", "/inbox", HANDLER),
    ("alerts", "/alerts", HANDLER),
    ("new alert", "/alerts/new", HANDLER),
    ("directory", "/directory?q=budapest", COORDINATOR),
    ("authority", "first:/directory?q=budapest", COORDINATOR),
    ("users", "/users", COORDINATOR),
    ("dashboard", "/dashboard", COORDINATOR),
)
BUDGET_BYTES = 200_000
BUDGET_SECONDS = 1.0


def log_in(page: Page, username: str) -> None:
    person = demo_user(username)
    page.goto("/login")
    page.fill("#field-username", person.username)
    page.click("button[type=submit]")
    page.fill("#field-password", person.password)
    for field in page.locator("input.imi-digit").all():
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
        field.fill(person.security_code[int(re.search(r"\d+", label)[0]) - 1])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def resolved(page: Page, path: str) -> str | None:
    """``path``, or the first row's link of the list a ``first:`` path names."""
    if not path.startswith("first:"):
        return path
    page.goto(path.removeprefix("first:"))
    link = page.locator("main table tbody tr a, main a[href^='/directory/authorities/']").first
    return link.get_attribute("href") if link.count() else None


def visit(page: Page, path: str) -> tuple[int, float]:
    """Bytes transferred by the page and everything it loaded, and seconds to its load."""
    transferred = []

    def count(request) -> None:
        sizes = request.sizes()
        transferred.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

    page.on("requestfinished", count)
    page.goto(path, wait_until="load")
    timing = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_timeout(50)
    page.remove_listener("requestfinished", count)
    return sum(transferred), timing / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--chromium", default=os.environ.get("IMI_CHROMIUM") or shutil.which("chromium")
    )
    args = parser.parse_args()

    cold: dict[str, list[tuple[int, float]]] = {name: [] for name, _, _ in PAGES}
    warm: dict[str, list[tuple[int, float]]] = {name: [] for name, _, _ in PAGES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        # one login per user (the login forms are rate-limited per address); each visit then
        # starts from a fresh profile holding only the session's cookies, with nothing cached
        sessions, paths = {None: None}, {}
        for user in {user for _, _, user in PAGES if user}:
            first = browser.new_context(base_url=args.url)
            log_in(first.new_page(), user)
            sessions[user] = first.storage_state()
            first.close()
        for name, path, user in PAGES:
            context = browser.new_context(base_url=args.url, storage_state=sessions[user])
            paths[name] = resolved(context.new_page(), path)
            context.close()
        for _ in range(args.repeat):
            for name, _, user in PAGES:
                if paths[name] is None:
                    continue
                context = browser.new_context(base_url=args.url, storage_state=sessions[user])
                page = context.new_page()
                cold[name].append(visit(page, paths[name]))
                warm[name].append(visit(page, paths[name]))
                context.close()
        browser.close()

    missing = [name for name, path in paths.items() if path is None]
    if missing:
        print("no link found for:", ", ".join(missing))
    print(f"{'page':<14} {'cache':<6} {'KB p50':>7} {'KB max':>7} {'s p50':>6} {'s p99':>6}")
    for name, _, _ in PAGES:
        if not cold[name]:
            continue
        for label, runs in (("cold", cold[name]), ("warm", warm[name])):
            sizes = sorted(size for size, _ in runs)
            seconds = sorted(time for _, time in runs)
            print(
                f"{name:<14} {label:<6} {statistics.median(sizes) / 1000:>7.1f} "
                f"{sizes[-1] / 1000:>7.1f} {statistics.median(seconds):>6.3f} "
                f"{percentile(seconds, 0.99):>6.3f}"
            )
    heaviest = max(size for runs in cold.values() for size, _ in runs)
    slowest = max(percentile(sorted(t for _, t in runs), 0.99) for runs in cold.values() if runs)
    print(
        f"aims: every page under {BUDGET_BYTES // 1000} KB: "
        f"{'met' if heaviest < BUDGET_BYTES else 'missed'} (heaviest {heaviest / 1000:.1f} KB); "
        f"usable within {BUDGET_SECONDS:.0f} s: "
        f"{'met' if slowest < BUDGET_SECONDS else 'missed'} (slowest p99 {slowest:.3f} s)"
    )


if __name__ == "__main__":
    main()
