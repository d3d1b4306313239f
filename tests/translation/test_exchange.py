"""XLIFF 2.0: what an export looks like to a translation tool, and files that are refused
before anything is read from them (unit level: parsing needs no database)."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from services.common.errors import ValidationFailed
from services.translation.exchange import XLIFF_NS, parse_xliff

from .harness import xliff

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">
<file id="f"><unit id="error.forbidden"><segment state="translated"><source>x</source>
<target>&lol3;</target></segment></unit></file></xliff>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">
<file id="f"><unit id="k.a"><segment state="translated"><source>x</source>
<target>&secret;</target></segment></unit></file></xliff>"""


def refusal(content: str, language: str = "de") -> str:
    with pytest.raises(ValidationFailed) as raised:
        parse_xliff(content, language)
    return raised.value.detail


def test_a_translation_tools_file_gives_each_translated_unit_to_import():
    source, units = parse_xliff(xliff("de", ("a.b", "Services", "Dienstleistungen")), "de")

    assert source == "en"
    assert [(unit.key, unit.source, unit.target) for unit in units] == [
        ("a.b", "Services", "Dienstleistungen")
    ]


def test_units_still_in_the_initial_state_are_skipped():
    _, units = parse_xliff(xliff("de", ("a.b", "S", "D"), state="initial"), "de")

    assert units == []


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_expansion_and_external_entities_are_refused(hostile):
    assert "DTD or entities" in refusal(hostile)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<xliff", "not well-formed"),
        ('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>', "XLIFF 2.0"),
        (xliff("fr", ("a.b", "S", "T")), "'fr', not 'de'"),
    ],
)
def test_malformed_files_other_formats_and_the_wrong_language_are_refused(content, reason):
    assert reason in refusal(content)


def test_a_unit_with_inline_markup_or_two_segments_is_refused_with_its_key():
    content = xliff("de", ("a.b", "S", "D")).replace(
        "<target>D</target>", '<target>D<ph id="1"/></target>'
    )
    _, units = parse_xliff(content, "de")

    assert [(unit.key, unit.problem is not None) for unit in units] == [("a.b", True)]


def test_the_namespace_is_xliff_2():
    root = fromstring(xliff("de", ("a.b", "S", "D")))

    assert root.tag == f"{{{XLIFF_NS}}}xliff"
