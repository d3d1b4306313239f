"""pytest-timeout's signal method, kept under eventlet.

pytest-timeout uses SIGALRM only when the test runs in the main thread, and eventlet's patched
``threading`` reports the main greenlet as another thread. It then falls back to a timer
thread that, on a timeout, prints every thread's stack and ends the whole process: the tests
after a hung one never run, and its name scrolls away above the stacks. Here SIGALRM fails
the hung test alone, names it, and shows where it waited; the run goes on.
"""

from __future__ import annotations

import signal
import traceback

import greenlet
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    if settings.method != "signal":
        return None

    def on_alarm(_signum, _frame):
        __tracebackhide__ = True
        pytest.fail(f"Timeout (>{settings.timeout:g} s) in {item.nodeid}{_waiting_at()}")

    def cancel():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True


def _waiting_at() -> str:
    """Where the test's own greenlet waits, when the alarm finds eventlet's hub running: the
    failure's traceback then shows only the hub's poll."""
    current = greenlet.getcurrent()
    main = current
    while main.parent is not None:
        main = main.parent
    if main is current or main.gr_frame is None:
        return ""
    return "; the test waits at:\n" + "".join(traceback.format_stack(main.gr_frame))
