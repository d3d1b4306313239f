"""What an attachment's content must be before it is stored: the checks are made on the bytes,
never on what the uploader declares alone.

- not empty, and at most ``ContentLimits.max_bytes`` (10 MiB unless configured);
- of a type on the allow-list (``ALLOWED_TYPES``: documents authorities exchange), detected
  from the bytes: PDF, PNG, JPEG and TIFF by their signatures (the ``filetype`` library) and a
  light look at their structure; plain text that is valid UTF-8 with no control characters and
  is not markup a browser would run (HTML, XML, SVG); ODF and OOXML documents by opening the
  ZIP container and reading what makes it that format (ODF's ``mimetype`` entry and manifest,
  OOXML's ``[Content_Types].xml`` naming a main part under ``word/`` or ``xl/``), with macros
  refused and ZIP bombs refused by the total size the entries unpack to;
- declared as the type detected, and named with an extension of that type;
- a name a person can read and every file system can keep; a language of the system.

Each refusal is a ``ValidationFailed`` (400) with an ``attachment.*`` code, the field it is
about in ``errors`` and what was wrong (the limit, the type detected) in its other details.
Pure functions: no I/O besides reading the bytes given; ZIP work is bounded by the limits.
See docs/requests.md, "Attachments".
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import filetype
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from services.common.errors import ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MIB
# A ZIP-based document whose entries would unpack to more than this is refused as a ZIP bomb;
# an ordinary document unpacks to a few times its size.
DEFAULT_MAX_UNPACKED_BYTES = 100 * MIB
DEFAULT_MAX_ZIP_ENTRIES = 10_000
NAME_MAX_LENGTH = 200
NAME_MAX_UTF8_BYTES = 255  # what ext4, NTFS and most file systems keep of a name

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
TEXT = "text/plain"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCM = "application/vnd.ms-word.document.macroEnabled.12"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
ZIP = "application/zip"
HTML = "text/html"
XML = "application/xml"
SVG = "image/svg+xml"
UNKNOWN = "application/octet-stream"

# The types taken, each with the extensions its file names may end with.
ALLOWED_TYPES: Mapping[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TIFF: (".tif", ".tiff"),
    TEXT: (".txt",),
    ODT: (".odt",),
    ODS: (".ods",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
# Other names clients send for an allowed type.
DECLARED_ALIASES: Mapping[str, str] = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "application/x-pdf": PDF,
    "image/x-png": PNG,
}
TEXT_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii"})

# OOXML: the content type of the main part (in [Content_Types].xml), the type of the document
# it makes, and the folder its parts are kept in.
OOXML_MAIN_PARTS: Mapping[str, tuple[str, str]] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        DOCX,
        "word/",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, "xl/"),
    "application/vnd.ms-word.document.macroEnabled.main+xml": (DOCM, "word/"),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": (XLSM, "xl/"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "word/",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "xl/",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppt/",
    ),
}
OOXML_MACRO_TYPES = {DOCX: DOCM, XLSX: XLSM}
CONTENT_TYPES_ENTRY = "[Content_Types].xml"
CONTENT_TYPES_MAX_BYTES = 1 * MIB
ODF_MANIFEST_ENTRY = "META-INF/manifest.xml"
ODF_PREFIX = "application/vnd.oasis.opendocument."
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")

# How far from the end a PDF's %%EOF or a PNG's IEND may be (PDF readers look as far).
TAIL_BYTES = 1024
# Text: the control characters plain text may hold (tab, line feed, form feed, carriage return).
TEXT_CONTROLS_ALLOWED = frozenset("\t\n\f\r")
# Markup a browser would render or run if it sniffed the text (the WHATWG MIME sniffing
# standard's HTML patterns, plus XML and SVG), after leading white space, case ignored.
HTML_OPENINGS = (
    "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
    "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
)  # fmt: skip
SNIFF_CHARS = 1024

NAME_SEPARATORS = frozenset("/\\")
# Unicode categories no file name needs: controls, format characters (bidirectional overrides
# that make "invoice\u202efdp.exe" read as "invoiceexe.pdf", zero-width characters),
# surrogates, private use, unassigned, line and paragraph separators.
NAME_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class ContentLimits:
    """The limits an upload is checked against (deploy/config.yaml, ``ATTACHMENTS``)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_zip_entries: int = DEFAULT_MAX_ZIP_ENTRIES


@dataclass(frozen=True)
class AcceptedContent:
    """Content that passed every check: its real type, size, and its name and language as they
    are to be stored (the name in Unicode NFC)."""

    media_type: str
    size: int
    name: str
    language: str


def check_attachment(
    content: bytes,
    name: str,
    language: str,
    declared_media_type: str,
    limits: ContentLimits = ContentLimits(),
) -> AcceptedContent:
    """``content`` accepted as an attachment named ``name`` in ``language``, or the
    ``ValidationFailed`` that says why not."""
    name = check_name(name)
    language = check_language(language)
    check_size(content, limits)
    detected = detect_media_type(content, limits)
    declared = normalised_media_type(declared_media_type)
    if detected not in ALLOWED_TYPES:
        if declared == TEXT and detected == UNKNOWN and _could_be_text(content):
            _refuse(
                "content",
                "attachment.text_encoding",
                "A text file must be encoded in UTF-8 and hold no control characters.",
                detected=detected,
            )
        _refuse(
            "content",
            "attachment.type_not_allowed",
            f"The content is {detected}, which is not a type attachments may have.",
            detected=detected,
            allowed=sorted(ALLOWED_TYPES),
        )
    if declared != detected:
        _refuse(
            "media_type",
            "attachment.type_mismatch",
            f"The content is {detected}, not {declared_media_type!r} as declared.",
            declared=str(declared_media_type)[:255],
            detected=detected,
        )
    extensions = ALLOWED_TYPES[detected]
    if not name.lower().endswith(extensions):
        _refuse(
            "name",
            "attachment.name_extension",
            f"A file of type {detected} is named with {' or '.join(extensions)} at its end.",
            detected=detected,
            extensions=list(extensions),
        )
    return AcceptedContent(detected, len(content), name, language)


# --- name and language ------------------------------------------------------------------------


def check_name(name: Any) -> str:
    """The file name as stored (NFC), or a refusal ``attachment.name_invalid`` whose
    ``reason`` is ``empty``, ``too_long``, ``path_separator``, ``control_character`` or
    ``edge_character`` (a name starting with a dot or space, or ending with one)."""
    if not isinstance(name, str) or not name.strip():
        _name_refused("empty", "A file name is needed.")
    name = unicodedata.normalize("NFC", name)
    if len(name) > NAME_MAX_LENGTH or len(name.encode("utf-8", "surrogatepass")) > (
        NAME_MAX_UTF8_BYTES
    ):
        _name_refused(
            "too_long",
            f"A file name has at most {NAME_MAX_LENGTH} characters "
            f"({NAME_MAX_UTF8_BYTES} bytes in UTF-8).",
            max_length=NAME_MAX_LENGTH,
        )
    if NAME_SEPARATORS & set(name):
        _name_refused("path_separator", "A file name holds no / or \\.")
    if any(unicodedata.category(char) in NAME_REFUSED_CATEGORIES for char in name):
        _name_refused(
            "control_character", "A file name holds no control or invisible formatting character."
        )
    if name[0] == "." or name[-1] == "." or name[0].isspace() or name[-1].isspace():
        _name_refused("edge_character", "A file name neither starts nor ends with a dot or space.")
    return name


def _name_refused(reason: str, detail: str, **params: Any) -> NoReturn:
    _refuse("name", "attachment.name_invalid", detail, reason=reason, **params)


def check_language(language: Any) -> str:
    """``language`` if it is one of the system's languages; else a refusal
    ``attachment.language_unsupported``."""
    if not isinstance(language, str) or language not in SUPPORTED_LANGUAGES:
        _refuse(
            "language",
            "attachment.language_unsupported",
            "The language of an attachment is one of the system's languages.",
            language=str(language)[:16],
            supported=list(SUPPORTED_LANGUAGES),
        )
    return language


# --- size and type ----------------------------------------------------------------------------


def check_size(content: bytes, limits: ContentLimits) -> None:
    if not content:
        _refuse("content", "attachment.empty", "The file is empty.")
    if len(content) > limits.max_bytes:
        _refuse(
            "content",
            "attachment.too_large",
            f"The file has {len(content)} bytes; an attachment has at most {limits.max_bytes}.",
            size=len(content),
            max_bytes=limits.max_bytes,
        )


def normalised_media_type(declared: Any) -> str:
    """A declared media type as compared with the detected one: lower case, without
    parameters, aliases resolved; text must declare UTF-8 (or US-ASCII) if it names a
    charset. Something that is not a media type at all gives itself back, lower-cased."""
    if not isinstance(declared, str):
        return ""
    essence, _, parameters = declared.strip().lower().partition(";")
    essence = essence.strip()
    essence = DECLARED_ALIASES.get(essence, essence)
    if essence == TEXT:
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip() == "charset" and value.strip().strip('"') not in TEXT_CHARSETS:
                return f"{TEXT}; charset={value.strip()}"
    return essence


def detect_media_type(content: bytes, limits: ContentLimits = ContentLimits()) -> str:
    """The real type of ``content``, read from its bytes (``application/octet-stream`` when it
    is none that is known). A ZIP container is opened to tell which document it is; a file
    that starts as an allowed type but is damaged, and a ZIP bomb, are refused here."""
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_document_type(content, limits)
    kind = filetype.guess(content)
    if kind is not None and kind.mime in ALLOWED_TYPES:
        _check_structure(kind.mime, content)
        return kind.mime
    # Some signatures are two or three letters ("BM" for a bitmap, "ID3" for MP3): a file
    # that is clean UTF-8 text is text, whatever its first letters spell.
    text = _text_type(content)
    if text != UNKNOWN or kind is None:
        return text
    return kind.mime


def _check_structure(detected: str, content: bytes) -> None:
    """A light look past the signature of the allowed binary types, so that a file that only
    begins like one (or was cut short) is not taken for one."""
    tail = content[-TAIL_BYTES:]
    problem = None
    if detected == PDF:
        if not re.match(rb"%PDF-[12]\.\d", content):
            problem = "no PDF header"
        elif b"%%EOF" not in tail:
            problem = "no end-of-file marker (%%EOF): the PDF is cut short"
    elif detected == PNG:
        if content[12:16] != b"IHDR":
            problem = "no image header (IHDR)"
        elif b"IEND" not in tail:
            problem = "no end chunk (IEND): the image is cut short"
    elif detected == JPEG:
        if b"\xff\xd9" not in content:
            problem = "no end-of-image marker: the image is cut short"
    elif detected == TIFF:
        byte_order = "little" if content[:2] == b"II" else "big"
        first = int.from_bytes(content[4:8], byte_order)
        entries = int.from_bytes(content[first : first + 2], byte_order)
        if first < 8 or first + 2 + 12 * entries + 4 > len(content) or entries == 0:
            problem = "its first image directory lies outside the file"
    if problem is not None:
        _content_invalid(detected, problem)


def _content_invalid(detected: str, problem: str) -> NoReturn:
    _refuse(
        "content",
        "attachment.content_invalid",
        f"The file starts as {detected} but is not a valid one: {problem}.",
        detected=detected,
        problem=problem,
    )


def _text_type(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return UNKNOWN
    if any(
        unicodedata.category(char) == "Cc" and char not in TEXT_CONTROLS_ALLOWED for char in text
    ):
        return UNKNOWN
    head = text[:SNIFF_CHARS].lstrip(" \t\n\f\r").lower()
    if head.startswith("<?xml"):
        return SVG if "<svg" in head else XML
    if head.startswith("<svg"):
        return SVG
    for opening in HTML_OPENINGS:
        if head.startswith(opening) and head[len(opening) : len(opening) + 1] in ("", " ", ">"):
            return HTML
    return TEXT


def _could_be_text(content: bytes) -> bool:
    """Bytes that look like text in another encoding than UTF-8 (no NUL, few controls)."""
    if b"\x00" in content:
        return False
    controls = sum(1 for byte in content[:4096] if byte < 0x20 and byte not in b"\t\n\f\r")
    return controls == 0


# --- ZIP-based documents ----------------------------------------------------------------------


def _zip_document_type(content: bytes, limits: ContentLimits) -> str:
    """ODT, ODS, DOCX, XLSX (or what else the container says it is: a macro-enabled or other
    office document, or a plain ZIP), once its size unpacked and its integrity are checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        _content_invalid(ZIP, f"the ZIP container cannot be read ({exc})")
    with archive:
        _check_unpacked_size(entries, limits)
        if any(entry.flag_bits & 0x1 for entry in entries):
            _content_invalid(ZIP, "it holds encrypted entries")
        names = {entry.filename for entry in entries}
        detected = _odf_type(archive, entries, names) or _ooxml_type(archive, names) or ZIP
        try:
            damaged = archive.testzip()  # bounded by the unpacked size checked above
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
            damaged = f"? ({exc})"
        if damaged is not None:
            _content_invalid(detected, f"its entry {damaged} is damaged")
        return detected


def _check_unpacked_size(entries: list[zipfile.ZipInfo], limits: ContentLimits) -> None:
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > limits.max_zip_entries or unpacked > limits.max_unpacked_bytes:
        _refuse(
            "content",
            "attachment.unpacked_too_large",
            f"The document unpacks to {unpacked} bytes in {len(entries)} entries; at most "
            f"{limits.max_unpacked_bytes} bytes in {limits.max_zip_entries} entries are taken.",
            unpacked_bytes=unpacked,
            max_unpacked_bytes=limits.max_unpacked_bytes,
            entries=len(entries),
            max_entries=limits.max_zip_entries,
        )


def _odf_type(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], names: set[str]
) -> str | None:
    """An OpenDocument (or EPUB-like) container names its type in a first, uncompressed entry
    ``mimetype``; an ODF document also has its manifest."""
    first = entries[0] if entries else None
    if first is None or first.filename != "mimetype":
        return None
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 200:
        _content_invalid(ZIP, "its mimetype entry is compressed or too long")
    declared = _read_entry(archive, first, 200).decode("ascii", "replace").strip().lower()
    if MEDIA_TYPE.fullmatch(declared) is None:
        _content_invalid(ZIP, "its mimetype entry does not name a media type")
    if declared.startswith(ODF_PREFIX) and ODF_MANIFEST_ENTRY not in names:
        _content_invalid(declared, f"it has no {ODF_MANIFEST_ENTRY}")
    return declared


def _ooxml_type(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """An Office Open XML package declares its main part's content type in
    ``[Content_Types].xml``; that part must be in the package, in its format's folder. A
    package with a VBA project holds macros whatever it declares."""
    if CONTENT_TYPES_ENTRY not in names:
        return None
    info = archive.getinfo(CONTENT_TYPES_ENTRY)
    if info.file_size > CONTENT_TYPES_MAX_BYTES:
        _content_invalid(ZIP, f"its {CONTENT_TYPES_ENTRY} is too large")
    try:
        root = ElementTree.fromstring(_read_entry(archive, info, CONTENT_TYPES_MAX_BYTES))
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        _content_invalid(ZIP, f"its {CONTENT_TYPES_ENTRY} is not readable XML ({exc})")
    found = None
    for element in root:
        if not element.tag.endswith("}Override") and element.tag != "Override":
            continue
        content_type = (element.get("ContentType") or "").strip()
        part = (element.get("PartName") or "").lstrip("/")
        if content_type in OOXML_MAIN_PARTS:
            found = (OOXML_MAIN_PARTS[content_type], part)
            break
    if found is None:
        return ZIP
    (detected, folder), part = found
    if not part.startswith(folder) or part not in names:
        _content_invalid(detected, f"its main part {part or '?'} is not in the package's {folder}")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        detected = OOXML_MACRO_TYPES.get(detected, detected)
    return detected


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes:
    try:
        with archive.open(info) as stream:
            return stream.read(most + 1)[:most]
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
        _content_invalid(ZIP, f"its entry {info.filename} cannot be read ({exc})")


# --- refusals ---------------------------------------------------------------------------------


def _refuse(field: str, code: str, detail: str, **params: Any) -> NoReturn:
    raise ValidationFailed(detail, code, {**params, "errors": {field: [code]}})
