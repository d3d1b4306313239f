"""The PDF report's labels, fonts and layout, without a service: the labels (the shared list
``report_labels``) are written in the 26 languages and read apart; the vendored DejaVu Sans has
a glyph for every character of every shipped text a report prints (labels, lists, question sets,
legislative areas) in every language; and a report laid out in each language reads back with
pypdf as it was written, its footer numbering every page. Unit tests: no fixture, no broker.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pypdf
import pytest
import yaml
from fontTools.ttLib import TTFont

from services.common.reference import SUPPORTED_LANGUAGES
from services.requests.bootstrap import LISTS_FILE, QUESTION_SETS_DIR
from services.requests.report import FONTS, pdf
from services.requests.report_content import Item, Line, Report, Section
from services.translation.bootstrap import DIRECTORY_DATA_DIR

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
LABELS = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))["report_labels"]


def label(key: str, language: str) -> str:
    return next(item["text"][language] for item in LABELS if item["key"] == key)


def texts_of(node) -> list[str]:
    """Every string in a YAML document, keys aside."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in texts_of(value)]
    if isinstance(node, list):
        return [text for value in node for text in texts_of(value)]
    return []


def shipped_texts() -> list[str]:
    documents = [LISTS_FILE, *sorted(QUESTION_SETS_DIR.glob("*.yaml"))]
    documents.append(DIRECTORY_DATA_DIR / "legislative_areas.yaml")
    return [text for path in documents for text in texts_of(yaml.safe_load(path.read_text()))]


def words(text: str) -> str:
    """The text with its white space as one space: lines wrap where the page ends."""
    return " ".join(text.split())


def read_back(document: bytes) -> list[str]:
    return [words(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(document)).pages]


def test_every_label_is_written_in_the_26_languages_and_no_two_read_alike():
    for item in LABELS:
        assert sorted(item["text"]) == sorted(SUPPORTED_LANGUAGES), item["key"]
    alike = {
        language
        for language in SUPPORTED_LANGUAGES
        if len({item["text"][language].casefold() for item in LABELS}) < len(LABELS)
    }
    assert alike == set()


@pytest.mark.parametrize("font", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_the_fonts_have_a_glyph_for_every_character_a_shipped_text_uses(font: str):
    covered = set(TTFont(FONTS / font).getBestCmap())
    used = {character for text in shipped_texts() for character in text}

    assert sorted(c for c in used if ord(c) not in covered and not c.isspace()) == []
    assert {"λ", "щ", "ő", "ț", "ħ", "ż", "ų", "ā", "ð", "þ"} <= used  # the scripts are there


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_report_in_each_language_reads_back_as_written(language: str):
    def line(key: str, text: str) -> Line:
        return Line(text, label(key, language))

    report = Report(
        request_id="5b1e6c02-8f7a-4f0e-9a53-2c7d3e5f9a10", language=language,
        title=label("title", language),
        sections=(
            Section(label("title", language), (line("status", "—"),)),
            Section(label("subject", language), (line("full_name", "Ζωή Παπαδοπούλου"),
                                                 line("other_names", "Жана Иванова"))),
            Section(label("questions", language), items=tuple(
                Item(f"1.{n} {label('question', language)}",
                     (line("reply", "ő ű ș ț ą ę ħ ġ ż ā ē ī ū ð þ æ ø å"),)) for n in range(40)
            )),
        ),
        printed=f"{label('printed', language)} 2026-03-14 09:30 UTC", page=label("page", language),
        personal_data=True, file_name="report.pdf",
    )  # fmt: skip

    pages = read_back(pdf(report, NOW))

    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"{words(label('page', language))} {number} / {len(pages)}" in page
        assert words(report.printed) in page
    whole = " ".join(pages)
    for key in ("title", "status", "subject", "full_name", "other_names", "questions", "reply"):
        assert words(label(key, language)) in whole, key
    assert "Ζωή Παπαδοπούλου" in whole
    assert "Жана Иванова" in whole
    assert len(re.findall("ő ű ș ț ą ę ħ ġ ż ā ē ī ū ð þ æ ø å", whole)) == 40


def test_a_free_text_that_looks_like_a_page_count_alias_is_printed_as_written():
    report = Report(
        request_id="r", language="en", title="t",
        sections=(Section("t", (Line("{nb} pages", "Comment"),)),),
        printed="Printed", page="Page", personal_data=False, file_name="r.pdf",
    )  # fmt: skip

    (page,) = read_back(pdf(report, NOW))

    assert "Comment: {nb} pages" in page
    assert "Page 1 / 1" in page
