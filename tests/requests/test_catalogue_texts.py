"""The requests process's cache of catalogue texts (services/requests/catalogue_texts.py):
kept per language and namespaces, forgotten by namespace, read again when old; an
unreachable catalogue's answer is not kept, and it is not asked again for a pause."""

from __future__ import annotations

from services.requests.catalogue_texts import TextCache


class Catalogue:
    """A stand-in for the translation service's bundles: counts what it was asked."""

    def __init__(self):
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.text = "Forma giuridica"

    def __call__(self, language: str, namespaces: list[str]) -> dict[str, dict]:
        self.asked.append((language, tuple(namespaces)))
        return {"q.legal_form": {"text": self.text, "fallback": False}}


def unreachable(language: str, namespaces: list[str]) -> None:
    return None


class Unreachable:
    """A catalogue that does not answer (the service's fetch answers None after its timeout)."""

    def __init__(self):
        self.asked = 0

    def __call__(self, language: str, namespaces: list[str]) -> None:
        self.asked += 1


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bundle_is_read_once_and_then_served_from_the_cache():
    catalogue, cache = Catalogue(), TextCache(clock=Clock())

    first = cache.texts("it", ["requests.question_set.a", "requests.list"], catalogue)
    again = cache.texts("it", ["requests.list", "requests.question_set.a"], catalogue)
    other_language = cache.texts("hu", ["requests.question_set.a", "requests.list"], catalogue)

    assert first == again == other_language
    assert catalogue.asked == [
        ("it", ("requests.list", "requests.question_set.a")),
        ("hu", ("requests.list", "requests.question_set.a")),
    ]


def test_a_change_of_a_namespace_or_below_it_is_read_again_and_others_are_kept():
    catalogue, cache = Catalogue(), TextCache(clock=Clock())
    cache.texts("it", ["requests.question_set.a"], catalogue)
    cache.texts("it", ["requests.question_set.b"], catalogue)
    cache.texts("it", ["requests"], catalogue)

    catalogue.text = "Forma giuridica del prestatore"
    cache.forget("requests.question_set.a")

    assert cache.texts("it", ["requests.question_set.a"], catalogue)["q.legal_form"]["text"] == (
        "Forma giuridica del prestatore"
    )
    assert cache.texts("it", ["requests"], catalogue)["q.legal_form"]["text"] == (
        "Forma giuridica del prestatore"
    )
    assert cache.texts("it", ["requests.question_set.b"], catalogue)["q.legal_form"]["text"] == (
        "Forma giuridica"
    )
    assert len(catalogue.asked) == 5


def test_an_old_bundle_is_read_again_and_an_unreachable_catalogue_is_not_kept():
    catalogue, clock = Catalogue(), Clock()
    cache = TextCache(max_age=300.0, clock=clock, retry=30.0)
    assert cache.texts("it", ["requests.list"], unreachable) == {}
    clock.now = 30.0
    cache.texts("it", ["requests.list"], catalogue)
    clock.now = 329.0
    cache.texts("it", ["requests.list"], catalogue)
    clock.now = 330.0
    cache.texts("it", ["requests.list"], catalogue)

    assert len(catalogue.asked) == 2


def test_an_unreachable_catalogue_is_asked_again_only_after_a_pause_the_old_texts_serving():
    catalogue, clock = Catalogue(), Clock()
    cache = TextCache(max_age=300.0, clock=clock, retry=30.0)
    cache.texts("it", ["requests.list"], catalogue)
    clock.now = 400.0  # the bundle is old: read again, but the catalogue does not answer
    down = Unreachable()

    served = [cache.texts("it", ["requests.list"], down)]
    clock.now = 429.0
    served.append(cache.texts("it", ["requests.list"], down))
    served.append(cache.texts("hu", ["requests.list"], down))
    clock.now = 430.0
    served.append(cache.texts("hu", ["requests.list"], catalogue))

    assert down.asked == 1  # once, then not again for 30 s, whatever the bundle
    assert served[:2] == [{"q.legal_form": {"text": "Forma giuridica", "fallback": False}}] * 2
    assert served[2] == {}  # nothing kept in Hungarian
    assert served[3] == {"q.legal_form": {"text": "Forma giuridica", "fallback": False}}
    assert catalogue.asked == [("it", ("requests.list",)), ("hu", ("requests.list",))]


def test_a_namespace_without_texts_is_kept_as_such():
    asked = []

    def empty(language: str, namespaces: list[str]) -> dict:
        asked.append(language)
        return {}

    cache = TextCache(clock=Clock())
    cache.texts("it", ["requests.question_set.without_texts"], empty)

    assert cache.texts("it", ["requests.question_set.without_texts"], empty) == {}
    assert asked == ["it"]


def test_the_least_recently_used_bundle_goes_first_when_the_cache_is_full():
    catalogue = Catalogue()
    cache = TextCache(kept=2, clock=Clock())
    cache.texts("it", ["a"], catalogue)
    cache.texts("hu", ["a"], catalogue)
    cache.texts("it", ["a"], catalogue)  # used again: hu is now the oldest
    cache.texts("de", ["a"], catalogue)
    cache.texts("it", ["a"], catalogue)
    cache.texts("hu", ["a"], catalogue)

    assert [language for language, _namespaces in catalogue.asked] == ["it", "hu", "de", "hu"]
