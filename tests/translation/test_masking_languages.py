"""The subject's personal data never reaches an external engine, in each of the 26 supported
languages (personal_data_samples.py): each text is masked as the service masks it (with the
subject's values the caller passes), split into sentences, sent to a recording stand-in of a
LibreTranslate server, and the answer restored (pure: no nameko, no database)."""

from __future__ import annotations

import re

import pytest

from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.machine.libretranslate import LibreTranslateEngine
from services.translation.machine.masking import mask
from services.translation.machine.operations import join_sentences, split_sentences

from .machine_harness import FakeEngineServer
from .personal_data_samples import CASES, REPORTED, leaks


class RecordingEngine(FakeEngineServer):
    """A LibreTranslate stand-in for every supported language that records what it is sent;
    its 'translation' is the text with the target language in front."""

    def __init__(self):
        super().__init__(self._respond)

    @staticmethod
    def _respond(method, path, body):
        if path == "/languages":
            return 200, [{"code": code, "targets": list(SUPPORTED_LANGUAGES)}
                         for code in SUPPORTED_LANGUAGES], 0  # fmt: skip
        return 200, {"translatedText": [f"[{body['target']}] {q}" for q in body["q"]]}, 0


@pytest.fixture(scope="module")
def engine():
    with RecordingEngine() as server:
        yield server


def through_the_engine(server, text, language, personal_data) -> tuple[str, str]:
    """What the engine received, and the translation restored, as the service does it."""
    masked = mask(text, language, personal_data)
    segments, separators = split_sentences(masked.text)
    target = "de" if language == "en" else "en"
    translated = LibreTranslateEngine(server.url, timeout=5).translate(segments, language, target)
    received = server.requests[-1][2]
    assert received["source"] == language
    return " ".join(received["q"]), masked.restore(join_sentences(translated, separators))


def test_every_supported_language_has_a_case():
    assert sorted(CASES) == sorted(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", sorted(CASES))
def test_nothing_of_the_subject_reaches_the_engine_and_the_translation_gets_it_back(
    engine, language
):
    case = CASES[language]

    received, restored = through_the_engine(engine, case.text, language, case.personal_data)

    assert leaks(received, *case.personal_data, *case.written) == []
    assert "1980" not in received
    assert re.sub(r"\[(?:de|en)\] ", "", restored) == case.text
    for written in case.written:
        assert written in restored


@pytest.mark.parametrize("language", sorted(REPORTED))
def test_the_reported_examples_no_longer_reach_the_engine(engine, language):
    text, personal_data, written = REPORTED[language]

    received, restored = through_the_engine(engine, text, language, personal_data)

    assert leaks(received, *personal_data, *written) == []
    assert "1980" not in received
    assert restored == f"[en] {text}"


@pytest.mark.parametrize("language", sorted(REPORTED))
def test_the_reported_examples_are_masked_even_without_the_subjects_values(language):
    text, _, written = REPORTED[language]

    masked = mask(text, language)

    assert leaks(masked.text, *written) == []
