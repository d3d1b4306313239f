"""A LibreTranslate-compatible HTTP API (LibreTranslate itself, or a service speaking its
protocol): ``POST /translate`` with ``{q, source, target, format, api_key}`` and ``GET
/languages``. External: only masked text is sent to it.
"""

from __future__ import annotations

import time

import requests

from services.translation.machine.engine import (
    Engine,
    engine_failed,
    engine_unreachable,
    text_rejected,
    unsupported_pair,
)

LANGUAGES_TTL_SECONDS = 300
_NOT_SUPPORTED = ("not supported", "unsupported", "is not a valid")


class LibreTranslateEngine(Engine):
    name = "libretranslate"
    external = True

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.timeout = timeout
        self._pairs: set[tuple[str, str]] = set()
        self._pairs_read_at = float("-inf")

    def pairs(self) -> set[tuple[str, str]]:
        """The server's pairs, asked again every few minutes (models get installed)."""
        if time.monotonic() - self._pairs_read_at > LANGUAGES_TTL_SECONDS:
            languages = self._call("GET", "/languages")
            try:
                self._pairs = {
                    (language["code"], target)
                    for language in languages
                    for target in language.get("targets", ())
                    if target != language["code"]
                }
            except (TypeError, KeyError):
                raise engine_failed(self.name, "its /languages answer is not a list of "
                                    "languages with their targets.") from None  # fmt: skip
            self._pairs_read_at = time.monotonic()
        return self._pairs

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not self.supports(source, target):
            raise unsupported_pair(self.name, source, target)
        body = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = self._call("POST", "/translate", body)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if (
            not isinstance(translated, list)
            or len(translated) != len(texts)
            or not all(isinstance(text, str) for text in translated)
        ):
            raise engine_failed(self.name, "its answer has no translatedText list matching "
                                "the texts sent.")  # fmt: skip
        return translated

    def _call(self, method: str, path: str, body: dict | None = None):
        try:
            response = requests.request(method, self.url + path, json=body, timeout=self.timeout)
        except requests.Timeout:
            raise engine_unreachable(self.name, f"no answer within {self.timeout:g} s.") from None
        except requests.RequestException as exc:
            raise engine_unreachable(self.name, f"{type(exc).__name__} at {self.url}.") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        error = answer.get("error") if isinstance(answer, dict) else None
        status = response.status_code
        if status == 400 and error and any(word in error.lower() for word in _NOT_SUPPORTED):
            source, target = (body or {}).get("source", "?"), (body or {}).get("target", "?")
            raise unsupported_pair(self.name, source, target)
        if status in (400, 413):
            raise text_rejected(self.name, error or f"HTTP {status}.")
        if status == 429:
            raise engine_unreachable(self.name, "it asks to slow down (HTTP 429).")
        if status in (401, 403):
            raise engine_failed(self.name, f"it refused the API key (HTTP {status}); check "
                                "TRANSLATION.LIBRETRANSLATE_API_KEY.")  # fmt: skip
        if status >= 300:
            raise engine_failed(self.name, f"HTTP {status}: {error or 'no explanation'}.")
        if answer is None:
            raise engine_failed(self.name, "its answer is not JSON.")
        return answer
