"""The catalogue's current texts of the pages, over the shipped ones.

The pages start from the texts shipped with the release (gateway/web/texts.py); what
translators change in the catalogue afterwards (the translation tool, an XLIFF import) reaches
each gateway process here: within seconds of the translation service's ``texts_changed`` event,
which every gateway process receives (a broadcast) and notes for its next refresh of the noted
languages (``WEB_TEXTS_REFRESH_SECONDS``), and at the latest at the next resync
(``WEB_TEXTS_RESYNC_SECONDS``), whose first run fills a process that has just started. Each refresh
asks only for what changed since the catalogue revision this process holds.

Only a language's own texts are taken: where the catalogue falls back to the source text, the
shipped translation (if any) stays, so a catalogue not yet loaded with a newer release's texts
never replaces them with English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from services.common.reference import SUPPORTED_LANGUAGES

NAMESPACE = "web"


class LiveTexts:
    """``{language: {key: text}}`` of the catalogue's page texts, and the revision each
    language was read at. A refresh replaces a language's mapping whole, so a page being
    rendered meanwhile reads either the old texts or the new ones."""

    def __init__(self) -> None:
        self._texts: dict[str, dict[str, str]] = {}
        self._revision: dict[str, int] = {}
        self._pending: set[str] = set()

    def note(self, payload: dict) -> None:
        """Remember the languages a ``texts_changed`` event names, for the next refresh: a
        catalogue loading its content publishes one event per namespace, and each would
        otherwise cost a call per language."""
        self._pending.update(self.wanted(payload))

    def refresh_noted(self, fetch: Callable[[dict], dict]) -> int:
        """Refresh the languages noted since the last time; how many texts changed."""
        languages, self._pending = sorted(self._pending), set()
        return self.refresh(fetch, languages) if languages else 0

    def text(self, language: str, key: str) -> str | None:
        return self._texts.get(language, {}).get(key)

    def refresh(
        self, fetch: Callable[[dict], dict], languages: Iterable[str] = SUPPORTED_LANGUAGES
    ) -> int:
        """Read what changed in each language since its revision; how many texts changed."""
        changed = 0
        for language in languages:
            query = {"language": language, "namespaces": [NAMESPACE]}
            if language in self._revision:
                query["since_revision"] = self._revision[language]
            changed += self._apply(language, fetch(query))
        return changed

    def wanted(self, payload: dict) -> list[str]:
        """The languages a ``texts_changed`` event asks this process to refresh."""
        namespace = payload.get("namespace", "")
        if namespace != NAMESPACE and not namespace.startswith(NAMESPACE + "."):
            return []
        return [language for language in payload.get("languages", ())
                if language in SUPPORTED_LANGUAGES]  # fmt: skip

    def _apply(self, language: str, bundle: dict) -> int:
        texts = dict(self._texts.get(language, {}))
        for key, found in bundle["texts"].items():
            if found["fallback"]:
                texts.pop(key, None)
            else:
                texts[key] = found["text"]
        changed = sum(1 for key in bundle["texts"] if texts.get(key) is not None)
        self._texts[language] = texts
        self._revision[language] = bundle["revision"]
        return changed


LIVE_TEXTS = LiveTexts()
"""This process's: the pages read it, the gateway's event handler and timer refresh it."""
