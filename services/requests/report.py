"""A request's report laid out as a PDF with fpdf2: the sections of a
services.requests.report_content.Report one after the other on A4 pages, and on every page a
footer with the print time, the request's id and "page n / N".

The font is DejaVu Sans (fonts/, with its licence), which has the glyphs of every supported
language: Latin with its diacritics, Greek and Cyrillic. Only the glyphs a report uses are
embedded, with their Unicode mapping, so that its text can be searched and copied.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.requests.report_content import Item, Line, Report, Section

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSans"
MARGIN = 18  # mm
FOOTER_HEIGHT = 10  # mm, below the text
BODY = 9.5  # pt
LINE = 5  # mm
INDENT = 6  # mm
PAGE_WIDTH = 32  # mm, room for "page n / N" in every language
KEEP_WITH_TITLE = 30  # mm: a section's title, its rule and its first lines
KEEP_WITH_HEADING = 13  # mm: an item's heading and its first line


def pdf(report: Report, now: datetime) -> bytes:
    """The report as the bytes of a PDF file; ``now`` is its creation date."""
    document = _Document(report)
    document.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    document.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    document.set_margins(MARGIN, MARGIN, MARGIN)
    document.set_auto_page_break(True, margin=MARGIN + FOOTER_HEIGHT)
    document.set_title(report.title)
    document.set_lang(report.language)
    document.set_creator("IMI")
    document.set_creation_date(now)
    document.add_page()
    for number, section in enumerate(report.sections):
        _section(document, section, first=number == 0)
    return bytes(document.output())


class _Document(FPDF):
    """An A4 document whose pages end with the report's footer."""

    def __init__(self, report: Report):
        super().__init__(format="A4")
        self.report = report
        # The total of pages is written in place of this alias once known; an alias no free
        # text can hold, since fpdf2 would put the total in place of it in any text.
        self.pages_alias = f"{{pages-{uuid.uuid4().hex}}}"
        self.alias_nb_pages(self.pages_alias)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(90)
        width = self.w - 2 * MARGIN - PAGE_WIDTH
        self.cell(width, 4, f"{self.report.printed} · {self.report.request_id}", align="L")
        self.cell(PAGE_WIDTH, 4, f"{self.report.page} {self.page_no()} / {self.pages_alias}")
        self.set_text_color(0)


def _section(document: FPDF, section: Section, first: bool) -> None:
    if document.will_page_break(KEEP_WITH_TITLE):  # a title starts its page, never ends one
        document.add_page()
    document.set_font(FAMILY, "B", 15 if first else 12)
    document.ln(0 if first else LINE)
    _text(document, section.title, height=8)
    document.set_draw_color(160)
    document.line(MARGIN, document.get_y(), document.w - MARGIN, document.get_y())
    document.ln(2)
    for line in section.lines:
        _line(document, line)
    for item in section.items:
        _item(document, item)


def _item(document: FPDF, item: Item) -> None:
    if document.will_page_break(KEEP_WITH_HEADING):
        document.add_page()
    document.ln(1.5)
    document.set_font(FAMILY, "B", BODY)
    _text(document, item.heading)
    document.set_left_margin(MARGIN + INDENT)
    document.set_x(MARGIN + INDENT)
    for line in item.lines:
        _line(document, line)
    document.set_left_margin(MARGIN)
    document.set_x(MARGIN)


def _line(document: FPDF, line: Line) -> None:
    """A line, its label in bold before the text ("Status: Accepted"), wrapping as long as the
    text goes, across pages."""
    if line.label is not None:
        document.set_font(FAMILY, "B", BODY)
        document.write(LINE, f"{line.label}: ")
    document.set_font(FAMILY, "", BODY)
    document.write(LINE, line.text)
    document.ln(LINE)


def _text(document: FPDF, text: str, height: float = LINE) -> None:
    document.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
