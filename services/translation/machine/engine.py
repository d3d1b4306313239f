"""The one interface every machine-translation engine implements, and its errors.

An engine translates a batch of texts from one language to another. ``external`` engines run
outside the system (a LibreTranslate server, eTranslation): nothing is sent to them before
services.translation.machine.masking has taken the personal data out. An ``asynchronous`` engine
answers later, on a callback, instead of at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from services.common.errors import Unavailable, ValidationFailed

ENGLISH = "en"


class Engine(ABC):
    name: str
    external: bool
    asynchronous = False

    @abstractmethod
    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) pairs this engine translates, pivots included."""

    def supports(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs()

    @abstractmethod
    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """One translation per text, in order."""


class AsynchronousEngine(Engine):
    """An engine that takes a request now and posts the translation to a callback later."""

    asynchronous = True

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        raise TypeError(f"{self.name} answers on a callback; use submit()")

    @abstractmethod
    def submit(self, text: str, source: str, target: str, callback_url: str, reference: str) -> str:
        """Send one text; the engine's request id."""


def unsupported_pair(engine: str, source: str, target: str) -> ValidationFailed:
    return ValidationFailed(
        f"The {engine} engine does not translate from {source!r} to {target!r}.",
        "error.machine_translation.unsupported_pair",
        {"engine": engine, "source": source, "target": target},
    )


def engine_unreachable(engine: str, reason: str) -> Unavailable:
    return Unavailable(
        f"The {engine} machine-translation engine is not reachable: {reason}",
        "error.machine_translation.unreachable",
        {"engine": engine},
    )


def engine_failed(engine: str, reason: str) -> Unavailable:
    return Unavailable(
        f"The {engine} machine-translation engine failed: {reason}",
        "error.machine_translation.engine_failed",
        {"engine": engine},
    )


def text_rejected(engine: str, reason: str) -> ValidationFailed:
    return ValidationFailed(
        f"The {engine} machine-translation engine refused the text: {reason}",
        "error.machine_translation.rejected",
        {"engine": engine},
    )
