"""pytest-timeout's signal method, kept under eventlet.

pytest-timeout uses SIGALRM only when the test runs in the main thread, and eventlet's patched
``threading`` reports the main greenlet as another thread. It then falls back to a timer
thread that, on a timeout, prints every thread's stack and ends the whole process: the tests
after a hung one never run, and its name scrolls away above the stacks. Here SIGALRM fails
the hung test alone, names it, and shows where it waited; the run goes on.

The alarm interrupts whichever greenlet runs at that moment. In the test's own (the main
greenlet) the failure is raised there; in eventlet's hub, waiting in its poll, it ends the hub,
whose parent the main greenlet gets it (eventlet starts a new hub at the next switch); in
another green thread (asyncio's child watchers poll every 10 ms) it is thrown into the main
greenlet by the hub as soon as that thread yields, so that the thread goes on and the test,
not it, fails.
"""

from __future__ import annotations

import signal
import traceback

import greenlet
import pytest
from eventlet import hubs


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    if settings.method != "signal":
        return None

    def on_alarm(_signum, _frame):
        __tracebackhide__ = True
        current, main = greenlet.getcurrent(), _main_greenlet()
        failure = pytest.fail.Exception(
            f"Timeout (>{settings.timeout:g} s) in {item.nodeid}{_waiting_at(main, current)}"
        )
        hub = hubs.get_hub()
        if current is main or current is hub.greenlet:
            raise failure  # the hub's end hands it to its parent, the main greenlet
        hub.schedule_call_global(0, main.throw, failure)

    def cancel():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True


def _main_greenlet() -> greenlet.greenlet:
    main = greenlet.getcurrent()
    while main.parent is not None:
        main = main.parent
    return main


def _waiting_at(main: greenlet.greenlet, current: greenlet.greenlet) -> str:
    """Where the test's own greenlet waits, when the alarm finds another running."""
    if main is current or main.gr_frame is None:
        return ""
    return "; the test waits at:\n" + "".join(traceback.format_stack(main.gr_frame))
