"""The language of a text whose writer did not say, among the 26 supported languages.

langid ships its own model (no download, no service) and knows every supported language,
Maltese, Irish, Icelandic and Norwegian included (research/stack.md compares it with lingua,
which has no Maltese). Its model is loaded on first use, not at import.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from services.common.errors import ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.domain import LETTER

# langid tells the two written forms of Norwegian apart; the system knows one, "no".
_LANGID_CODES = {"nb": "no", "nn": "no"}
# Below this, a detection is returned but flagged as a guess.
RELIABLE_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float

    @property
    def reliable(self) -> bool:
        return self.confidence >= RELIABLE_CONFIDENCE


@functools.cache
def _identifier():
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages([*SUPPORTED_LANGUAGES, *_LANGID_CODES])
    return identifier


def detect(text: str) -> Detection:
    """The most likely supported language of ``text`` and the model's confidence (0 to 1)."""
    if not re.search(LETTER, text):
        raise ValidationFailed.from_fields(
            {"text": ["The text has no letters to recognise a language by."]},
            "The language of the text cannot be detected; give it as 'source'.",
        )
    ranked: dict[str, float] = {}
    for code, probability in _identifier().rank(text):
        language = _LANGID_CODES.get(code, code)
        ranked[language] = ranked.get(language, 0.0) + float(probability)
    language = max(ranked, key=ranked.__getitem__)
    return Detection(language, round(ranked[language], 4))
