"""Real, tiny documents of every type an attachment may have, built byte by byte (no imaging or
office library is needed), and the hostile files they are compared with."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def pdf(text: str = "Certificate of registration") -> bytes:
    """A one-page PDF 1.4 with a line of text, its cross-reference table at the right offsets."""
    page_text = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(page_text) + page_text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2) -> bytes:
    """A grey-scale PNG, every row filtered with filter 0."""
    rows = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """A baseline JPEG of one 8x8 block of mid grey: one Huffman code for DC category 0 and
    one for the end of block, so the whole scan is two bits."""
    dc_table = b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    ac_table = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    return b"".join(
        [
            b"\xff\xd8",
            b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64,
            b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00",
            b"\xff\xc4" + struct.pack(">H", 2 + len(dc_table)) + dc_table,
            b"\xff\xc4" + struct.pack(">H", 2 + len(ac_table)) + ac_table,
            b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00",
            b"\x3f",  # DC "0", end of block "0", padded with ones
            b"\xff\xd9",
        ]
    )


def tiff() -> bytes:
    """A baseline TIFF (little-endian) of one grey pixel, uncompressed."""
    entries = 12
    directory_end = 8 + 2 + 12 * entries + 4
    x_resolution, y_resolution, pixel = directory_end, directory_end + 8, directory_end + 16

    def short(tag: int, value: int) -> bytes:
        return struct.pack("<HHIHH", tag, 3, 1, value, 0)

    def long(tag: int, kind: int, value: int) -> bytes:
        return struct.pack("<HHII", tag, kind, 1, value)

    directory = b"".join(
        [
            short(256, 1),  # width
            short(257, 1),  # length
            short(258, 8),  # bits per sample
            short(259, 1),  # no compression
            short(262, 1),  # black is zero
            long(273, 4, pixel),  # strip offsets
            short(277, 1),  # samples per pixel
            short(278, 1),  # rows per strip
            long(279, 4, 1),  # strip byte counts
            long(282, 5, x_resolution),
            long(283, 5, y_resolution),
            short(296, 2),  # inches
        ]
    )
    return (
        b"II*\x00"
        + struct.pack("<I", 8)
        + struct.pack("<H", entries)
        + directory
        + struct.pack("<I", 0)
        + struct.pack("<II", 72, 1) * 2
        + b"\x80"
    )


def zipped(entries: list[tuple[str, bytes | str]], stored: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def _content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    )


def _relationships(target: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{target}"/></Relationships>'
    )


WORD_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Certificate of good standing</w:t></w:r></w:p></w:body>"
    "</w:document>"
)


def docx(
    main_type: str = DOCX_MAIN,
    extra_entries: tuple[tuple[str, bytes | str], ...] = (),
    padding: bytes = b"",
) -> bytes:
    """A Word document as Word writes the least of one: content types, relationships and the
    document part; ``padding`` adds an entry of those bytes (to make a ZIP bomb of it)."""
    entries: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", _content_types("word/document.xml", main_type)),
        ("_rels/.rels", _relationships("word/document.xml")),
        ("word/document.xml", WORD_DOCUMENT),
        *extra_entries,
    ]
    if padding:
        entries.append(("word/media/padding.bin", padding))
    return zipped(entries)


def xlsx() -> bytes:
    """A workbook of one sheet with one number in A1."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>'
    )
    return zipped(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    "xl/workbook.xml",
                    XLSX_MAIN,
                    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>',
                ),
            ),
            ("_rels/.rels", _relationships("xl/workbook.xml")),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
    )


def opendocument(media_type: str, body: str, manifest: bool = True) -> bytes:
    """An OpenDocument package: ``mimetype`` first and uncompressed, its manifest, content."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    entries: list[tuple[str, bytes | str]] = [("mimetype", media_type)]
    if manifest:
        entries.append(("META-INF/manifest.xml", manifest_xml))
    entries.append(("content.xml", content))
    return zipped(entries, stored=("mimetype",))


def odt() -> bytes:
    return opendocument(
        "application/vnd.oasis.opendocument.text",
        "<office:text><text:p>Attestation</text:p></office:text>",
    )


def ods() -> bytes:
    return opendocument(
        "application/vnd.oasis.opendocument.spreadsheet",
        '<office:spreadsheet><table:table table:name="Sheet1"><table:table-row>'
        "<table:table-cell><text:p>42</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet>",
    )


def windows_executable() -> bytes:
    """The start of a Windows program: the MZ header pointing at a PE header."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    header[0x3C:0x40] = struct.pack("<I", 64)
    return bytes(header) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
