"""A hung test fails alone, named, under eventlet (tests/timeouts.py): the run goes on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_hung_test_fails_with_its_name_and_where_it_waited_and_the_next_one_runs(tmp_path):
    """The second test's alarm comes while another green thread works, nearly always."""
    (tmp_path / "conftest.py").write_text(
        "import eventlet\neventlet.monkey_patch()\npytest_plugins = ['tests.timeouts']\n"
    )
    (tmp_path / "test_hang.py").write_text(
        textwrap.dedent(
            """
            import time

            import eventlet
            import pytest
            from eventlet.event import Event

            @pytest.mark.timeout(1)
            def test_waits_for_ever():
                Event().wait()

            @pytest.mark.timeout(1)
            def test_waits_for_ever_while_another_green_thread_works():
                def work():
                    while True:
                        started = time.monotonic()
                        while time.monotonic() - started < 0.05:
                            pass
                        eventlet.sleep(0)

                worker = eventlet.spawn(work)
                try:
                    Event().wait()
                finally:
                    worker.kill()

            def test_runs_after_them():
                assert eventlet.spawn(lambda: 42).wait() == 42
            """
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 failed, 1 passed" in run.stdout
    assert "Timeout (>1 s) in test_hang.py::test_waits_for_ever;" in run.stdout
    assert "Timeout (>1 s) in test_hang.py::test_waits_for_ever_while_another" in run.stdout
    waited = run.stdout.split("the test waits at:", 1)[1]
    assert "Event().wait()" in waited
