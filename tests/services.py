"""Starting a service under test: the real service class, its clock the test's own."""

from __future__ import annotations

from services.common.clock import Clock


def started_on_clock(container_factory, service_cls: type, config: dict, clock):
    """``service_cls`` started in a container whose Clock dependency reads ``clock``, so the
    test moves time for the service and its database alike."""
    clocked = type(f"Test{service_cls.__name__}", (service_cls,), {"clock": Clock(clock)})
    container = container_factory(clocked, config)
    container.start()
    return container
