"""The templates hold no words: every text is a catalogue key, every key they name exists, in
all 26 languages, with the placeholders of its English source."""

from __future__ import annotations

import re
import string

import pytest

from gateway.web.rendering import TEMPLATES
from gateway.web.texts import Texts, shipped_texts
from gateway.web.work_pages import REQUEST_BOXES
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.bootstrap import content_entries

TEMPLATE_FILES = sorted(TEMPLATES.glob("*.html"))
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.DOTALL)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
# a key in a template: t("web.x.y"), or a key built from a fixed prefix and a value
NAMED_KEY = re.compile(r"""t\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda path: path.name)
def test_a_template_holds_no_literal_text(template):
    text = ENTITY.sub("", TAG.sub("", JINJA.sub("", template.read_text(encoding="utf-8"))))

    assert re.findall(r"[^\W\d_]{2,}", text) == [], "a word outside the catalogue"


def test_every_key_a_template_or_a_page_names_is_in_the_catalogue():
    sources = [*TEMPLATE_FILES, *TEMPLATES.parent.glob("*.py")]
    named = {
        key
        for source in sources
        for key in NAMED_KEY.findall(source.read_text(encoding="utf-8"))
        + re.findall(r'"(web\.[a-z_]+(?:\.[a-z_]+)+)"', source.read_text(encoding="utf-8"))
    }
    named |= {f"web.requests.box.{box}" for box in REQUEST_BOXES}  # keys built in a template
    assert named
    assert sorted(key for key in named if not Texts("en").has(key)) == []


def test_every_web_text_is_in_every_language_with_the_placeholders_of_its_source():
    formatter = string.Formatter()
    entries = list(content_entries(pattern="web*.yaml"))
    assert entries
    for entry in entries:
        assert sorted(entry["texts"]) == sorted(SUPPORTED_LANGUAGES), entry["key"]
        wanted = {field for _, field, _, _ in formatter.parse(entry["source_text"]) if field}
        for language, text in entry["texts"].items():
            found = {field for _, field, _, _ in formatter.parse(text) if field}
            assert found == wanted, (entry["key"], language)
            assert len(text) <= entry["max_length"], (entry["key"], language)


def test_a_text_falls_back_to_english_and_fills_its_placeholders():
    texts = Texts("el")

    assert texts("web.login.digit", position=7).endswith("7")
    assert texts("web.login.title") == shipped_texts()["web.login.title"]["el"]
    assert Texts("xx").language == "en"
    assert texts("web.no.such.key") == "web.no.such.key"
