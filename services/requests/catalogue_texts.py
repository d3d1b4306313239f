"""The catalogue's texts of question sets and lists, kept in the requests process.

Every view of a request shows its questions in the reader's language, and asking the
translation service on each call cost a round trip and a few milliseconds of CPU on both
sides (docs/performance.md, "Requests at scale"). The texts a process has read are kept per
language and namespaces; a translator's change reaches every requests process at once by
translation's ``texts_changed`` event (a broadcast: each process forgets the namespace it
names), and a kept bundle is read again after ``TEXTS_CACHE_SECONDS`` at the latest, so an
event lost while a process was restarting is caught up with. An unreachable translation
service (``fetch`` answers None, after the call's timeout) is not asked again for
``TEXTS_RETRY_SECONDS`` (30): meanwhile a view shows the texts kept, even old ones, or else the
texts the version ships, without waiting for a timeout on every call.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from nameko.extensions import DependencyProvider

CONFIG_KEY = "REQUESTS"
MAX_AGE_SECONDS = 300.0
RETRY_SECONDS = 30.0
BUNDLES_KEPT = 2_000

Fetch = Callable[[str, list[str]], dict[str, dict] | None]


class TextCache:
    """``(language, namespaces)`` → the bundle's texts, the most recently used kept."""

    def __init__(
        self,
        max_age: float = MAX_AGE_SECONDS,
        kept: int = BUNDLES_KEPT,
        clock: Callable[[], float] = time.monotonic,
        retry: float = RETRY_SECONDS,
    ):
        self._max_age = max_age
        self._kept = kept
        self._clock = clock
        self._retry = retry
        self._unreachable_until = float("-inf")
        self._bundles: OrderedDict[tuple[str, tuple[str, ...]], tuple[float, dict]] = OrderedDict()

    def texts(self, language: str, namespaces: list[str], fetch: Fetch) -> dict[str, dict]:
        """The texts kept, or those ``fetch`` reads now (then kept). While the catalogue is
        unreachable: the texts kept however old, else none."""
        key = (language, tuple(sorted(namespaces)))
        now = self._clock()
        found = self._bundles.get(key)
        if found is not None and now - found[0] < self._max_age:
            self._bundles.move_to_end(key)
            return found[1]
        texts = None
        if now >= self._unreachable_until:
            texts = fetch(language, list(key[1]))
            if texts is None:
                self._unreachable_until = self._clock() + self._retry
        if texts is None:
            return found[1] if found is not None else {}
        self._bundles[key] = (now, texts)
        self._bundles.move_to_end(key)
        while len(self._bundles) > self._kept:
            self._bundles.popitem(last=False)
        return texts

    def forget(self, namespace: str) -> None:
        """Drop every bundle holding ``namespace`` or a namespace below it."""
        for key in [key for key in self._bundles if _holds(key[1], namespace)]:
            del self._bundles[key]


def _holds(namespaces: tuple[str, ...], changed: str) -> bool:
    """Whether a bundle of ``namespaces`` (none: every one) holds texts of ``changed``."""
    return not namespaces or any(
        name == changed or name.startswith(changed + ".") or changed.startswith(name + ".")
        for name in namespaces
    )


class CatalogueTexts(DependencyProvider):
    """One TextCache per service container (``REQUESTS.TEXTS_CACHE_SECONDS``, default 300;
    ``REQUESTS.TEXTS_RETRY_SECONDS``, default 30)."""

    def setup(self) -> None:
        block = self.container.config.get(CONFIG_KEY) or {}
        self.cache = TextCache(
            max_age=float(block.get("TEXTS_CACHE_SECONDS", MAX_AGE_SECONDS)),
            retry=float(block.get("TEXTS_RETRY_SECONDS", RETRY_SECONDS)),
        )

    def get_dependency(self, worker_ctx) -> TextCache:
        return self.cache
