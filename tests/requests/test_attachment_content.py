"""Unit tests of what an attachment's content must be (services/requests/attachment_content.py):
real documents built in tests/requests/sample_files.py, hostile ones beside them; no broker,
no database."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.common.errors import ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import load
from services.requests import attachment_content as content
from services.requests.attachment_content import (
    DOCM,
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
    AcceptedContent,
    ContentLimits,
    check_attachment,
    detect_media_type,
)
from services.requests.attachment_schemas import (
    AttachmentSchema,
    AttachmentUploadSchema,
    AttachmentUploadWithContentSchema,
)
from tests.requests import sample_files as sample

MIB = 1024 * 1024


def refusal(
    file: bytes,
    name: str = "document.pdf",
    declared: str = PDF,
    language: str = "en",
    limits: ContentLimits | None = None,
) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        check_attachment(file, name, language, declared, limits or ContentLimits())
    return caught.value


REAL_DOCUMENTS = [
    pytest.param(sample.pdf(), "certificate.pdf", PDF, id="pdf"),
    pytest.param(sample.png(), "scan.png", PNG, id="png"),
    pytest.param(sample.jpeg(), "photo.jpg", JPEG, id="jpeg"),
    pytest.param(sample.jpeg(), "photo.JPEG", "image/jpg", id="jpeg-declared-image/jpg"),
    pytest.param(sample.tiff(), "scan.tiff", TIFF, id="tiff"),
    pytest.param("Bescheinigung über die Eintragung\n".encode(), "note.txt", TEXT, id="text"),
    pytest.param(b"\xef\xbb\xbfWith a BOM\r\n", "bom.txt", "text/plain; charset=UTF-8", id="bom"),
    pytest.param(b"BMW dealers, 2026 report\n", "report.txt", TEXT, id="text-like-a-bitmap"),
    pytest.param(sample.odt(), "attestation.odt", ODT, id="odt"),
    pytest.param(sample.ods(), "figures.ods", ODS, id="ods"),
    pytest.param(sample.docx(), "attestation.docx", DOCX, id="docx"),
    pytest.param(sample.xlsx(), "figures.xlsx", XLSX, id="xlsx"),
]


@pytest.mark.parametrize(("file", "name", "declared"), REAL_DOCUMENTS)
def test_a_real_document_of_an_allowed_type_is_accepted_as_the_type_its_bytes_have(
    file, name, declared
):
    accepted = check_attachment(file, name, "de", declared)

    assert accepted == AcceptedContent(
        content.normalised_media_type(declared), len(file), name, "de"
    )
    assert accepted.media_type in content.ALLOWED_TYPES


# --- spoofed types ---------------------------------------------------------------------------


def test_a_windows_program_renamed_pdf_and_declared_a_pdf_is_refused_as_what_it_is():
    refused = refusal(sample.windows_executable(), "invoice.pdf", PDF)

    assert refused.code == "attachment.type_not_allowed"
    assert refused.extra["detected"] == "application/x-msdownload"
    assert refused.extra["errors"] == {"content": ["attachment.type_not_allowed"]}
    assert PDF in refused.extra["allowed"]


def test_a_linux_program_renamed_pdf_is_refused():
    refused = refusal(b"\x7fELF\x02\x01\x01" + b"\x00" * 120, "invoice.pdf", PDF)

    assert refused.code == "attachment.type_not_allowed"
    assert refused.extra["detected"] == "application/x-executable"


@pytest.mark.parametrize(
    ("name", "declared"), [("invoice.pdf", PDF), ("notes.txt", TEXT)], ids=["as-pdf", "as-text"]
)
def test_an_html_page_is_refused_whatever_it_is_called_or_declared(name, declared):
    refused = refusal(sample.html_page(), name, declared)

    assert refused.code == "attachment.type_not_allowed"
    assert refused.extra["detected"] == "text/html"


@pytest.mark.parametrize(
    ("markup", "detected"),
    [
        (b"  \n<HTML><body>x</body></html>", "text/html"),
        (b"<script>fetch('/api')</script>", "text/html"),
        (b'<?xml version="1.0"?><note>x</note>', "application/xml"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    ],
)
def test_markup_a_browser_would_render_is_not_plain_text(markup, detected):
    refused = refusal(markup, "notes.txt", TEXT)

    assert (refused.code, refused.extra["detected"]) == ("attachment.type_not_allowed", detected)


def test_a_png_declared_as_a_pdf_is_refused_naming_both_types():
    refused = refusal(sample.png(), "scan.pdf", PDF)

    assert refused.code == "attachment.type_mismatch"
    assert (refused.extra["declared"], refused.extra["detected"]) == (PDF, PNG)
    assert refused.extra["errors"] == {"media_type": ["attachment.type_mismatch"]}


def test_an_opendocument_text_declared_as_a_word_document_is_refused():
    refused = refusal(sample.odt(), "attestation.docx", DOCX)

    assert (refused.code, refused.extra["detected"]) == ("attachment.type_mismatch", ODT)


def test_a_file_declared_as_unknown_bytes_is_refused_as_a_mismatch():
    refused = refusal(sample.pdf(), "certificate.pdf", "application/octet-stream")

    assert refused.code == "attachment.type_mismatch"


def test_a_text_declared_in_another_charset_than_utf_8_is_refused():
    refused = refusal(b"plain\n", "notes.txt", "text/plain; charset=iso-8859-1")

    assert refused.code == "attachment.type_mismatch"


def test_a_pdf_named_as_a_program_is_refused_for_its_extension():
    refused = refusal(sample.pdf(), "certificate.exe", PDF)

    assert refused.code == "attachment.name_extension"
    assert refused.extra["extensions"] == [".pdf"]
    assert refused.extra["errors"] == {"name": ["attachment.name_extension"]}


def test_a_text_named_as_a_script_is_refused_for_its_extension():
    refused = refusal(b"del /q C:\\*\n", "cleanup.bat", TEXT)

    assert refused.code == "attachment.name_extension"


# --- ZIP-based documents ----------------------------------------------------------------------


def test_a_macro_enabled_word_document_renamed_docx_is_refused():
    refused = refusal(sample.docx(sample.DOCM_MAIN), "attestation.docx", DOCX)

    assert (refused.code, refused.extra["detected"]) == ("attachment.type_not_allowed", DOCM)


def test_a_word_document_carrying_a_vba_project_is_refused_as_macro_enabled():
    with_macros = sample.docx(extra_entries=(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),))

    refused = refusal(with_macros, "attestation.docx", DOCX)

    assert (refused.code, refused.extra["detected"]) == ("attachment.type_not_allowed", DOCM)


def test_a_plain_zip_renamed_docx_is_refused_as_a_zip():
    archive = sample.zipped([("payload.js", "WScript.Shell")])

    refused = refusal(archive, "attestation.docx", DOCX)

    assert (refused.code, refused.extra["detected"]) == (
        "attachment.type_not_allowed",
        "application/zip",
    )


def test_a_word_document_whose_main_part_is_missing_is_refused_as_invalid():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w") as archive,
        zipfile.ZipFile(io.BytesIO(sample.docx())) as source,
    ):
        for entry in source.infolist():
            if entry.filename != "word/document.xml":
                archive.writestr(entry, source.read(entry))

    refused = refusal(buffer.getvalue(), "attestation.docx", DOCX)

    assert (refused.code, refused.extra["detected"]) == ("attachment.content_invalid", DOCX)


def test_an_opendocument_without_its_manifest_is_refused_as_invalid():
    text = "application/vnd.oasis.opendocument.text"
    broken = sample.opendocument(text, "<office:text/>", manifest=False)

    refused = refusal(broken, "attestation.odt", ODT)

    assert (refused.code, refused.extra["detected"]) == ("attachment.content_invalid", ODT)


def test_an_opendocument_presentation_is_not_an_allowed_type():
    presentation = sample.opendocument(
        "application/vnd.oasis.opendocument.presentation", "<office:presentation/>"
    )

    refused = refusal(presentation, "slides.odp", "application/vnd.oasis.opendocument.presentation")

    assert refused.code == "attachment.type_not_allowed"
    assert refused.extra["detected"] == "application/vnd.oasis.opendocument.presentation"


def test_a_zip_bomb_is_refused_by_the_size_it_would_unpack_to_at_the_default_limit():
    bomb = sample.docx(padding=bytes(101 * MIB))
    assert len(bomb) < 1 * MIB  # it passes the size limit: only the unpacked size tells

    refused = refusal(bomb, "attestation.docx", DOCX)

    assert refused.code == "attachment.unpacked_too_large"
    assert refused.extra["unpacked_bytes"] > 101 * MIB
    assert refused.extra["max_unpacked_bytes"] == content.DEFAULT_MAX_UNPACKED_BYTES


def test_the_unpacked_limit_is_the_configured_one():
    document = sample.docx(padding=bytes(2 * MIB))
    limits = ContentLimits(max_unpacked_bytes=1 * MIB)

    assert check_attachment(document, "a.docx", "en", DOCX).media_type == DOCX
    assert refusal(document, "a.docx", DOCX, limits=limits).code == "attachment.unpacked_too_large"


def test_a_container_of_too_many_entries_is_refused():
    many = sample.docx(extra_entries=tuple((f"word/media/{n}.xml", "<x/>") for n in range(60)))

    refused = refusal(many, "a.docx", DOCX, limits=ContentLimits(max_zip_entries=50))

    assert refused.code == "attachment.unpacked_too_large"
    assert (refused.extra["entries"], refused.extra["max_entries"]) == (63, 50)


def test_a_word_document_with_a_damaged_entry_is_refused():
    document = sample.zipped(
        [
            ("[Content_Types].xml", sample._content_types("word/document.xml", sample.DOCX_MAIN)),
            ("_rels/.rels", sample._relationships("word/document.xml")),
            ("word/document.xml", sample.WORD_DOCUMENT),
        ],
        stored=("word/document.xml",),
    )
    damaged = document.replace(b"Certificate of good standing", b"Certificate of bad standing!")

    refused = refusal(damaged, "attestation.docx", DOCX)

    assert refused.code == "attachment.content_invalid"
    assert "word/document.xml" in refused.extra["problem"]


def test_a_truncated_zip_is_refused_as_invalid():
    refused = refusal(sample.docx()[:300], "attestation.docx", DOCX)

    assert refused.code == "attachment.content_invalid"


def test_a_word_document_whose_content_types_are_not_xml_is_refused():
    broken = sample.zipped(
        [("[Content_Types].xml", "<Types><Override"), ("word/document.xml", "<w/>")]
    )

    assert refusal(broken, "a.docx", DOCX).code == "attachment.content_invalid"


def test_an_xml_bomb_in_the_content_types_is_refused_without_expanding_it():
    entities = "".join(f'<!ENTITY e{n} "&e{n - 1};&e{n - 1};">' for n in range(1, 30))
    bomb = f'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY e0 "x">{entities}]><Types>&e29;</Types>'
    document = sample.zipped([("[Content_Types].xml", bomb), ("word/document.xml", "<w/>")])

    assert refusal(document, "a.docx", DOCX).code == "attachment.content_invalid"


# --- damaged binaries, text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "name", "declared"),
    [
        pytest.param(sample.pdf()[:-40], "a.pdf", PDF, id="pdf-cut-short"),
        pytest.param(b"%PDF-1.7\n<html>not a pdf</html>\n", "a.pdf", PDF, id="pdf-header-only"),
        pytest.param(sample.png()[:-12], "a.png", PNG, id="png-cut-short"),
        pytest.param(sample.jpeg()[:-2], "a.jpg", JPEG, id="jpeg-cut-short"),
        pytest.param(sample.tiff()[:40], "a.tif", TIFF, id="tiff-cut-short"),
    ],
)
def test_a_file_that_only_starts_like_an_allowed_type_is_refused_as_invalid(file, name, declared):
    refused = refusal(file, name, declared)

    assert (refused.code, refused.extra["detected"]) == ("attachment.content_invalid", declared)


def test_a_text_in_latin_1_is_refused_with_a_request_for_utf_8():
    refused = refusal("Certificat délivré\n".encode("latin-1"), "note.txt", TEXT)

    assert refused.code == "attachment.text_encoding"
    assert refused.extra["errors"] == {"content": ["attachment.text_encoding"]}


def test_a_text_with_control_characters_is_not_plain_text():
    refused = refusal(b"line\x1b[31m red\x00\n", "note.txt", TEXT)

    assert refused.code == "attachment.type_not_allowed"
    assert refused.extra["detected"] == "application/octet-stream"


def test_the_detected_type_does_not_depend_on_the_name_or_declaration():
    assert detect_media_type(sample.pdf()) == PDF
    assert detect_media_type(sample.xlsx()) == XLSX
    assert detect_media_type(b"plain words") == TEXT
    assert detect_media_type(bytes(range(256))) == "application/octet-stream"


# --- size -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    refused = refusal(b"", "empty.pdf", PDF)

    assert refused.code == "attachment.empty"
    assert refused.extra["errors"] == {"content": ["attachment.empty"]}


def test_a_file_over_the_default_limit_of_10_mib_is_refused_with_the_limit():
    over = b"a" * (10 * MIB + 1)

    refused = refusal(over, "big.txt", TEXT)

    assert refused.code == "attachment.too_large"
    assert (refused.extra["size"], refused.extra["max_bytes"]) == (10 * MIB + 1, 10 * MIB)


def test_a_file_of_exactly_the_limit_is_accepted():
    limits = ContentLimits(max_bytes=len(sample.pdf()))

    assert check_attachment(sample.pdf(), "a.pdf", "en", PDF, limits).size == limits.max_bytes
    assert refusal(sample.pdf() + b"\n", limits=limits).code == "attachment.too_large"


# --- name and language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 197 + ".pdf", "too_long"),
        ("é" * 130 + ".pdf", "too_long"),  # 134 characters, 264 bytes in UTF-8
        ("../../etc/passwd.pdf", "path_separator"),
        ("C:\\Windows\\report.pdf", "path_separator"),
        ("report\x00.pdf", "control_character"),
        ("report\n.pdf", "control_character"),
        ("invoice\u202efdp.exe.pdf", "control_character"),  # right-to-left override
        ("zero\u200bwidth.pdf", "control_character"),
        (".pdf", "edge_character"),
        ("report.pdf.", "edge_character"),
        ("report.pdf ", "edge_character"),
    ],
)
def test_a_name_that_is_not_a_plain_file_name_is_refused_with_the_reason(name, reason):
    refused = refusal(sample.pdf(), name, PDF)

    assert (refused.code, refused.extra["reason"]) == ("attachment.name_invalid", reason)
    assert refused.extra["errors"] == {"name": ["attachment.name_invalid"]}


def test_a_name_of_200_characters_in_any_script_is_kept_in_nfc():
    decomposed = "Bescheinigung-Zertifikat-Ü" + "a" * 170 + ".pdf"
    name = decomposed.replace("Ü", "U\u0308")

    accepted = check_attachment(sample.pdf(), name, "de", PDF)

    assert accepted.name == decomposed
    assert check_attachment(sample.pdf(), "Πιστοποιητικό.pdf", "el", PDF).name.endswith(".pdf")


@pytest.mark.parametrize("language", ["xx", "EN", "", None, "en-GB"])
def test_a_language_outside_the_systems_is_refused(language):
    refused = refusal(sample.pdf(), language=language)

    assert refused.code == "attachment.language_unsupported"
    assert refused.extra["errors"] == {"language": ["attachment.language_unsupported"]}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_of_the_system_is_taken(language):
    assert check_attachment(sample.pdf(), "a.pdf", language, PDF).language == language


# --- the schemas ------------------------------------------------------------------------------


def test_the_upload_schema_takes_the_metadata_and_refuses_unknown_fields():
    metadata = {"name": "a.pdf", "language": "fr", "media_type": PDF}

    assert load(AttachmentUploadSchema, metadata) == metadata
    with pytest.raises(ValidationFailed) as caught:
        load(AttachmentUploadSchema, {**metadata, "language": "xx", "path": "/etc"})
    assert caught.value.extra["errors"] == {
        "language": ["attachment.language_unsupported"],
        "path": ["Unknown field."],
    }


def test_the_upload_schema_carries_the_bytes_in_base64():
    import base64

    upload = {
        "name": "a.pdf",
        "language": "fr",
        "media_type": PDF,
        "content": base64.b64encode(sample.pdf()).decode(),
    }

    assert load(AttachmentUploadWithContentSchema, upload)["content"] == sample.pdf()
    with pytest.raises(ValidationFailed) as caught:
        load(AttachmentUploadWithContentSchema, {**upload, "content": "not base64!"})
    assert caught.value.extra["errors"] == {"content": ["Base64 text was expected."]}


def test_the_reader_schema_shows_what_a_reader_needs():
    from datetime import UTC, datetime

    shown = AttachmentSchema().dump(
        {
            "id": "a1",
            "name": "a.pdf",
            "language": "fr",
            "media_type": PDF,
            "size": 607,
            "sha256": "0" * 64,
            "uploaded_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            "uploaded_by": "u1",
            "side": "requester",
            "storage_key": "never shown",
        }
    )

    assert shown == {
        "id": "a1",
        "name": "a.pdf",
        "language": "fr",
        "media_type": PDF,
        "size": 607,
        "sha256": "0" * 64,
        "uploaded_at": "2026-01-05T09:00:00+00:00",
        "uploaded_by": "u1",
        "side": "requester",
    }
