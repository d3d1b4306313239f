"""Personal data out of a text before it leaves for an outside translation engine.

Names, dates, identity numbers (IBANs, ID, passport and tax numbers, long digit runs), emails,
phone numbers and street addresses are replaced by placeholders such as ``⟦P1⟧`` that engines
copy through untouched; ``Masked.restore`` puts the originals back into the translation.

Two kinds of finding: the values the caller knows to be personal data (the subject of a
request: known_values.py finds them however they are written), and patterns for what nobody
listed (dates of every supported language from dates.py, emails, numbers, addresses, names
behind a title or a cue). The rules err on the side of masking too much: a masked word is
translated less well, a leaked one cannot be taken back. The patterns are not understanding: a
name nobody listed, written without any cue in the middle of a sentence, is not recognised;
docs/machine-translation.md lists the limits.
"""

# Greek and Cyrillic letters in the patterns are meant (RUF001 takes them for look-alikes).
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.translation.machine.dates import find_dates
from services.translation.machine.known_values import WORD, known_values

OPEN, CLOSE = "⟦", "⟧"
PLACEHOLDER = re.compile(rf"{OPEN}\s*([A-Z])\s*(\d+)\s*{CLOSE}")

# Upper-case letters of the Latin (with the accents of European languages), Greek and Cyrillic
# scripts.
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽΆΈ-ΏΑ-ΩЀ-Я"
_NAME_WORD = rf"[{_UPPER}][\w'’]*(?:-[{_UPPER}][\w'’]*)?\.?"
_PARTICLE = r"(?:von|van|der|den|de|du|des|di|da|del|della|dos|le|la|zu|ter|ten|af|av)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{0,3}}"

_TITLES = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Lady|Herr|Herrn|Frau|Hr|Fr|Dipl\.-Ing|Ing|Mag|"
    r"M|MM|Mme|Mmes|Mlle|Monsieur|Madame|Mademoiselle|Maître|Me|"
    r"Sig|Sigg|Sig\.ra|Sig\.na|Signor|Signora|Signorina|Dott|Dott\.ssa|Avv|"
    r"Sr|Sra|Srta|Señor|Señora|Señorita|D|Dña|Don|Doña|Lic|"
    r"Sra\.ª|Senhor|Senhora|Exmo|Exma|"
    r"Pan|Pani|Panu|Pana|Panią|Państwo|"
    r"Dhr|Mevr|Mw|Meneer|Mevrouw|Hr|"
    r"κ|κος|κα|κύριος|κυρία|κυρίου|κυρίας|Κος|Κα|Κύριος|Κυρία|"
    r"Mister|Missis|"
    r"г-н|г-жа|г-ца|[Гг]оспо(?:дин|жа|жица)|[Pp]aní|[Pp]án|[Pp]an|[Pp]ani|[Ss]lečna|"
    r"Fru|Herr|Frk|[Hh]erra|[Rr]ouva|[Nn]eiti|[Hh]ärra|[Pp]roua|tUasal|"
    r"g\.|gđa|gđica|[Gg]ospodin|[Gg]ospođa|[Gg]ospod|[Gg]ospa|ga\.|"
    r"p\.|[Pp]on(?:as|ia|ui|iai|o|ios)|Is-Sur|Is-Sinjura|Sinjura|"
    r"dl\.|dna\.|[Dd]omnul(?:ui)?|[Dd]oamn(?:a|ei)"
)
# Titles written after the name (Kovács János úr, Bērziņa kundze).
_TITLES_AFTER = r"úr|úrnak|urat|asszony|asszonynak|asszonyt|kungs|kungam|kundze|kundzei"
_NAME_CUES = (
    r"Name|Vorname|Nachname|Familienname|Antragsteller(?:in)?|Nom|Prénom|Nom de famille|"
    r"demandeur|demanderesse|Nome|Cognome|richiedente|Nombre|Apellidos?|solicitante|"
    r"Imię(?: i nazwisko)?|Nazwisko|wnioskodawc[ay]|Όνομα|Επώνυμο|Ονοματεπώνυμο|αιτών|αιτούσα|"
    r"applicant|full name|first name|last name|surname|named|called|genannt|dénommée?|"
    r"Naam|aanvrager|Nome completo|requerente|"
    r"Име|Фамилия|заявител(?:ят|ка)?|Jméno|Příjmení|žadatel(?:ka)?|Navn|Efternavn|ansøger|"
    r"Nimi|Sukunimi|hakija|Eesnimi|Perekonnanimi|taotleja|Ainm|Sloinne|Ime|Prezime|"
    r"podnositelj(?:ica)?|Név|Családi név|kérelmező|Vardas|Pavardė|pareiškėj(?:as|a)|Vārds|"
    r"Uzvārds|pieteicēj[sa]|Isem|Kunjom|applikant|Voornaam|Achternaam|Nume|Prenume|"
    r"solicitant(?:ul|a)?|Meno|Priezvisko|žiadateľ(?:ka)?|Priimek|vlagatelj(?:ica)?|Namn|"
    r"Efternamn|sökande|Nafn|umsækjandi|Etternavn|søker"
)
_BIRTH_CUES = (
    r"born|née?|nata|nato|geb\.|geboren|ur\.|urodzon[ya]|γεν\.|γεννηθείσα|γεννηθείς|"
    r"nacido|nacida|geboren op|nascid[oa]|"
    r"роден[ао]?|született|szül\.|syntynyt|gimęs|gimusi|dzimis|dzimusi|narozen[áý]?|"
    r"narodený|narodená|født|född|sündinud|rođen[a]?|rojen[a]?|născut[ăa]?|imwieled|"
    r"imwielda|fæddur|fædd|a rugadh|"
    r"(?:s|f|sz|nar|gim|dz|roj|rođ|n|р)\.\s*(?=\d)"
)

_STREET_SUFFIXES = (
    r"straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|steig|gracht|straat|laan|"
    r"plein|kade|väg|vägen|gatan|gade|vej|katu|tie|utca|út|iela|gatve"
)
_STREET_PREFIXES = (
    r"rue|avenue|av\.|bd|boulevard|place|chemin|impasse|allée|quai|cours|"
    r"via|viale|piazza|piazzale|corso|vicolo|largo|"
    r"calle|c/|avenida|avda\.|plaza|paseo|carrer|"
    r"rua|travessa|praça|"
    r"ulica|ul\.|aleja|al\.|plac|pl\.|os\.|osiedle|"
    r"οδός|οδ\.|λεωφόρος|λεωφ\.|πλατεία|"
    r"strada|str\.|bulevardul|ulice|náměstí|trg|ulica"
)
_STREET_WORDS_AFTER = (
    r"street|st\.|road|rd\.|avenue|ave\.|lane|drive|square|way|close|crescent|place|terrace"
)
_POSTCODE_TAIL = rf"(?:,?\s*(?:[A-Z]{{1,2}}-)?\d{{2}}-?\d{{3}}\s+[{_UPPER}][\w-]+)?"
_HOUSE = r"\d{1,4}(?:\s?[a-zA-Z](?!\w))?(?:\s?[/-]\s?\d{1,4}[a-zA-Z]?)?"

# Each rule: the placeholder's letter and the pattern; group "v" (when present) is the part
# that is masked, so "Frau Erika Müller" keeps "Frau" for the engine to translate.
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("N", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")),
    (
        "T",
        re.compile(
            r"(?<![\w+])(?:\+|00)[1-9]\d{0,3}[\s./-]?(?:\(\d{1,4}\)[\s./-]?)?\d[\d\s./-]{4,16}\d"
            r"|(?<![\w/])\(?0\d{1,5}\)?[\s./-]?\d{2,}(?:[\s./-]?\d{2,}){1,4}(?![\w/])"
        ),
    ),
    (
        "A",
        re.compile(
            rf"\b[{_UPPER}][\w-]*(?:{_STREET_SUFFIXES})\s*{_HOUSE}\b{_POSTCODE_TAIL}|"
            rf"\b(?:[{_UPPER}][\w.-]*\s+){{1,3}}(?:{_STREET_SUFFIXES})\s*{_HOUSE}\b"
            rf"{_POSTCODE_TAIL}|"
            rf"(?<!\w)(?:{_STREET_PREFIXES})\s+(?:[\w'’.-]+\s+){{0,4}}?[\w'’.-]+,?\s+{_HOUSE}"
            rf"\b{_POSTCODE_TAIL}|"
            rf"\b{_HOUSE},?\s+(?:{_STREET_PREFIXES})\s+(?:(?:de la|de l'|du|des|de|della|del|"
            rf"di|dei)\s*)?[\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{0,3}}{_POSTCODE_TAIL}|"
            rf"\b{_HOUSE}\s+(?:[{_UPPER}][\w'-]+\s+){{1,3}}(?:{_STREET_WORDS_AFTER})(?!\w)"
            rf"{_POSTCODE_TAIL}",
            re.IGNORECASE,
        ),
    ),
    (
        "N",
        re.compile(
            r"\b(?=[A-ZΑ-ΩА-Я0-9/-]*\d)(?=[A-ZΑ-ΩА-Я0-9/-]*[A-ZΑ-ΩА-Я])[A-ZΑ-ΩА-Я0-9]"
            r"[A-ZΑ-ΩА-Я0-9/-]{4,}[A-ZΑ-ΩА-Я0-9]\b|\b[A-ZΑ-ΩА-Я]{1,3}\s\d{6,}\b|"
            r"\b\d(?:[\s./-]?\d){6,}\b"
        ),
    ),
    (
        "P",
        re.compile(
            rf"(?<!\w)(?:{_TITLES})\.?\s+(?P<v>{_NAME})|"
            rf"(?i:(?<!\w)(?:{_NAME_CUES}))\s*[:,]?\s+(?P<w>{_NAME})|"
            rf"(?P<x>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{1,3}}),?\s+"
            rf"\(?(?i:{_BIRTH_CUES})|"
            rf"(?P<y>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})\s+(?:{_TITLES_AFTER})(?!\w)"
        ),
    ),
)
_NAME_GROUPS = ("v", "w", "x", "y")
_TITLE = re.compile(rf"(?:{_TITLES})\.?")
# Words that a name pattern may catch after a cue but that are not names.
_NOT_NAMES = frozenset(
    ("The", "A", "An", "Der", "Die", "Das", "Le", "La", "Les", "Il", "Lo", "Gli", "I", "Un",
     "Una", "El", "Los", "Las", "O", "Os", "As", "De", "Het", "Een", "Ο", "Η", "Το", "Und",
     "And", "Et", "E", "Y", "Of", "Vom")
)  # fmt: skip


@dataclass
class Masked:
    """A text with its personal data replaced, and what each placeholder stands for."""

    text: str
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        """``text`` (a part of the masked text) with its own placeholders put back."""
        return PLACEHOLDER.sub(
            lambda match: self.values.get(f"{OPEN}{match.group(1)}{match.group(2)}{CLOSE}", ""),
            text,
        )

    def restore(self, translated: str) -> str:
        """The translation with the originals back; a value the engine lost is appended, so
        that nothing of the original disappears silently."""
        seen: set[str] = set()

        def put_back(match: re.Match) -> str:
            key = f"{OPEN}{match.group(1)}{match.group(2)}{CLOSE}"
            if key not in self.values:
                return ""
            seen.add(key)
            return self.values[key]

        text = PLACEHOLDER.sub(put_back, translated)
        lost = [value for key, value in self.values.items() if key not in seen]
        return " ".join([text, *(f"[{value}]" for value in lost)]) if lost else text


def mask(text: str, language: str | None = None, personal_data: Sequence[str] = ()) -> Masked:
    """Replace the personal data of ``text`` (written in ``language``, when known) by
    placeholders, the same value by the same one. ``personal_data`` are values the caller
    knows to be personal data (the subject's names, date of birth, numbers, address): each is
    masked wherever and however it is written."""
    spans = [(*match.span(), "E") for match in _EMAIL.finditer(text)]
    words = list(WORD.finditer(text))
    if spans:
        words = [word for word in words if not _overlaps(spans, *word.span())]
    if personal_data:
        found = known_values(tuple(personal_data)).find(text, words, language)
        _add(spans, sorted(found, key=lambda span: span[0] - span[1]))
    _add(spans, [(start, end, "D") for start, end in find_dates(text, words, language)])
    for kind, pattern in _RULES:
        for match in pattern.finditer(text):
            start, end = _masked_part(match)
            if kind == "P":
                start = _name_start(text, start, end)
            _add(spans, [(start, end, kind)])
    spans += _repeated_names(text, spans)
    return _replace(text, sorted(spans))


def _add(spans: list[tuple[int, int, str]], found: list[tuple[int, int, str]]) -> None:
    """Add the spans of ``found`` that overlap none already taken (earlier finders win)."""
    for start, end, kind in found:
        if start < end and not _overlaps(spans, start, end):
            spans.append((start, end, kind))


def _masked_part(match: re.Match) -> tuple[int, int]:
    for group in _NAME_GROUPS:
        if match.re.groupindex.get(group) and match.group(group):
            start, end = match.span(group)
            value = match.group(group)
            return start, end - (1 if value.endswith(".") and len(value) > 2 else 0)
    return match.span()


def _name_start(text: str, start: int, end: int) -> int:
    """Where the name proper begins: articles and titles caught before it are left out."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group().rstrip(".") not in _NOT_NAMES and not _TITLE.fullmatch(word.group()):
            return start + word.start()
    return end


def _overlaps(spans: list[tuple[int, int, str]], start: int, end: int) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end, _ in spans)


def _repeated_names(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A name found once behind a cue is masked wherever else its words appear."""
    words = {
        word.strip(".,")
        for start, end, kind in spans
        if kind == "P"
        for word in text[start:end].split()
        if len(word.strip(".,")) > 2 and word[0].isupper()
    }
    if not words:
        return []
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    found: list[tuple[int, int, str]] = []
    for match in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text):
        start, end = match.span()
        if not _overlaps(spans, start, end):
            found.append((start, end, "P"))
    return found


def _replace(text: str, spans: list[tuple[int, int, str]]) -> Masked:
    masked = Masked("")
    by_value: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    parts, position = [], 0
    for start, end, kind in spans:
        value = text[start:end]
        key = by_value.get((kind, value))
        if key is None:
            counts[kind] = counts.get(kind, 0) + 1
            key = f"{OPEN}{kind}{counts[kind]}{CLOSE}"
            by_value[(kind, value)] = key
            masked.values[key] = value
        parts += [text[position:start], key]
        position = end
    parts.append(text[position:])
    masked.text = "".join(parts)
    return masked
