"""Question set documents for tests: small, valid, and easy to break one rule at a time."""

from __future__ import annotations

import copy
import uuid


def document(key: str | None = None, area: str = "services", **changes) -> dict:
    """A set of two groups: a yes/no question, a choice with two options, a free text."""
    found = {
        "key": key or f"test_{uuid.uuid4().hex[:8]}",
        "area": area,
        "kind": "information",
        "source_language": "en",
        "title": {"en": "Checks on a services provider", "it": "Verifiche su un prestatore"},
        "description": {"en": "What is asked about a provider established elsewhere."},
        "groups": [
            {
                "key": "establishment",
                "title": {"en": "Establishment", "it": "Stabilimento"},
                "questions": [
                    {
                        "key": "legally_established",
                        "answer": "yes_no",
                        "text": {"en": "Is the provider legally established in your state?",
                                 "it": "Il prestatore è legalmente stabilito nel suo Stato?"},
                        "help": {"en": "As the register of the establishment shows."},
                        "personal_data": False,
                    },
                    {
                        "key": "legal_form",
                        "answer": "single_choice",
                        "text": {"en": "What is the provider's legal form?"},
                        "options": [
                            {"key": "company", "text": {"en": "A company"}},
                            {"key": "sole_trader", "text": {"en": "A sole trader",
                                                            "it": "Un imprenditore individuale"}},
                        ],
                        "personal_data": False,
                    },
                ],
            },
            {
                "key": "conduct",
                "title": {"en": "Conduct"},
                "questions": [
                    {
                        "key": "sanctions",
                        "answer": "free_text",
                        "text": {"en": "Which sanctions were imposed on the provider?"},
                        "personal_data": True,
                    },
                ],
            },
        ],
    }  # fmt: skip
    found.update(changes)
    return found


def question(found: dict, key: str) -> dict:
    return next(q for group in found["groups"] for q in group["questions"] if q["key"] == key)


def changed(found: dict) -> dict:
    return copy.deepcopy(found)
