"""Language detection over the 26 supported languages with langid's own model."""

# Greek and Cyrillic letters in the samples are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from services.common.errors import ValidationFailed
from services.translation.detection import detect

SENTENCES = {
    "mt": "Il-Ministeru tas-Saħħa jirrikonoxxi l-kwalifiki professjonali tat-tobba.",
    "ga": "Tá an t-údarás freagrach as cáilíochtaí gairmiúla a aithint.",
    "is": "Stofnunin viðurkennir starfsréttindi heilbrigðisstarfsmanna.",
    "no": "Myndigheten godkjenner yrkeskvalifikasjoner for helsepersonell.",
    "pl": "Urząd uznaje kwalifikacje zawodowe lekarzy i pielęgniarek.",
    "el": "Η αρχή αναγνωρίζει τα επαγγελματικά προσόντα των γιατρών.",
    "de": "Das Amt erkennt die Berufsqualifikationen von Ärzten an.",
    "fr": "L'autorité reconnaît les qualifications professionnelles des médecins.",
    "hu": "A hatóság elismeri az orvosok szakmai képesítését.",
    "fi": "Viranomainen tunnustaa lääkärien ammattipätevyyden.",
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_the_language_of_a_sentence_is_detected(language):
    detection = detect(SENTENCES[language])

    assert detection.language == language
    assert detection.reliable


def test_only_supported_languages_are_answered():
    detection = detect("Это русский текст о признании квалификаций.")

    assert detection.language != "ru"


def test_a_text_without_letters_cannot_be_detected():
    with pytest.raises(ValidationFailed):
        detect("12 345 / 678")
