"""Process tuning: the collector's thresholds change only where the configuration asks."""

from __future__ import annotations

import gc

import pytest
from nameko.rpc import rpc

from services.common.runtime import FIRST_GENERATION_THRESHOLD, ProcessTuning


class TunedService:
    name = "kernel_tuned"
    tuning = ProcessTuning()

    @rpc
    def ping(self) -> str:
        return "pong"


@pytest.fixture
def restored_thresholds():
    thresholds = gc.get_threshold()
    yield thresholds
    gc.set_threshold(*thresholds)


def test_gc_tuning_raises_the_first_threshold_when_configured(
    container_factory, service_config, restored_thresholds
):
    container_factory(TunedService, {**service_config, "GC_TUNING": True}).start()

    assert gc.get_threshold() == (FIRST_GENERATION_THRESHOLD, *restored_thresholds[1:])


def test_gc_tuning_leaves_the_process_alone_by_default(
    container_factory, service_config, restored_thresholds
):
    container_factory(TunedService, service_config).start()

    assert gc.get_threshold() == restored_thresholds
