"""A generated directory for the search benchmark: authorities with titles in 24 languages.

Titles are built from a small vocabulary of kinds of body (chamber, office, council…) and of
professions or domains (doctors, lawyers, architects…): real words in seven languages
(including Greek), and for the seventeen others made-up words of that language's letters
(Cyrillic for Bulgarian), one per concept, so documents share words as real ones do. Official
names add a made-up town. Member states, regions, areas, roles, competences and coordinator
links are spread evenly; 3 % of the authorities are pending validation (never found).

The rows go straight into the database with Core bulk inserts; the search documents are
folded by services.directory.search's own functions. Generation is not measured.
"""

from __future__ import annotations

import functools
import random
import uuid
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.common.reference import EEA_COUNTRIES, EU_LANGUAGES
from services.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityTitle,
    Competence,
    CoordinatorLink,
    SearchDocument,
)
from services.directory.search import document_text, fold

AREAS = ("professional_qualifications", "services", "posting_of_workers", "solvit")
BATCH = 2000
SEED = 20261125

BODIES = {
    "chamber": {"en": "Chamber of", "de": "Kammer der", "fr": "Chambre des",
                "el": "Επιμελητήριο", "es": "Cámara de", "it": "Camera dei", "pl": "Izba"},
    "office": {"en": "Office for", "de": "Amt für", "fr": "Office des", "el": "Γραφείο",
               "es": "Oficina de", "it": "Ufficio per", "pl": "Urząd"},
    "council": {"en": "Council of", "de": "Rat der", "fr": "Conseil des", "el": "Συμβούλιο",
                "es": "Consejo de", "it": "Consiglio dei", "pl": "Rada"},
    "ministry": {"en": "Ministry of", "de": "Ministerium für", "fr": "Ministère des",
                 "el": "Υπουργείο", "es": "Ministerio de", "it": "Ministero dei",
                 "pl": "Ministerstwo"},
    "association": {"en": "Association of", "de": "Verband der", "fr": "Association des",
                    "el": "Σύλλογος", "es": "Asociación de", "it": "Associazione dei",
                    "pl": "Stowarzyszenie"},
    "register": {"en": "Register of", "de": "Register der", "fr": "Registre des",
                 "el": "Μητρώο", "es": "Registro de", "it": "Registro dei", "pl": "Rejestr"},
}  # fmt: skip
DOMAINS = {
    "doctors": {"en": "Doctors", "de": "Ärzte", "fr": "médecins", "el": "Ιατρών",
                "es": "Médicos", "it": "Medici", "pl": "Lekarzy"},
    "lawyers": {"en": "Lawyers", "de": "Rechtsanwälte", "fr": "avocats", "el": "Δικηγόρων",
                "es": "Abogados", "it": "Avvocati", "pl": "Adwokatów"},
    "architects": {"en": "Architects", "de": "Architekten", "fr": "architectes",
                   "el": "Αρχιτεκτόνων", "es": "Arquitectos", "it": "Architetti",
                   "pl": "Architektów"},
    "nurses": {"en": "Nurses", "de": "Pflegekräfte", "fr": "infirmiers", "el": "Νοσηλευτών",
               "es": "Enfermeros", "it": "Infermieri", "pl": "Pielęgniarek"},
    "pharmacists": {"en": "Pharmacists", "de": "Apotheker", "fr": "pharmaciens",
                    "el": "Φαρμακοποιών", "es": "Farmacéuticos", "it": "Farmacisti",
                    "pl": "Farmaceutów"},
    "engineers": {"en": "Engineers", "de": "Ingenieure", "fr": "ingénieurs",
                  "el": "Μηχανικών", "es": "Ingenieros", "it": "Ingegneri",
                  "pl": "Inżynierów"},
    "teachers": {"en": "Teachers", "de": "Lehrer", "fr": "enseignants",
                 "el": "Εκπαιδευτικών", "es": "Profesores", "it": "Insegnanti",
                 "pl": "Nauczycieli"},
    "veterinarians": {"en": "Veterinarians", "de": "Tierärzte", "fr": "vétérinaires",
                      "el": "Κτηνιάτρων", "es": "Veterinarios", "it": "Veterinari",
                      "pl": "Weterynarzy"},
    "dentists": {"en": "Dentists", "de": "Zahnärzte", "fr": "dentistes",
                 "el": "Οδοντιάτρων", "es": "Dentistas", "it": "Dentisti",
                 "pl": "Dentystów"},
    "notaries": {"en": "Notaries", "de": "Notare", "fr": "notaires",
                 "el": "Συμβολαιογράφων", "es": "Notarios", "it": "Notai",
                 "pl": "Notariuszy"},
    "construction": {"en": "Construction", "de": "Bauwesen", "fr": "constructeurs",
                     "el": "Κατασκευών", "es": "Construcción", "it": "Costruttori",
                     "pl": "Budownictwa"},
    "posted_workers": {"en": "Posted Workers", "de": "entsandte Arbeitnehmer",
                       "fr": "travailleurs détachés", "el": "Αποσπασμένων Εργαζομένων",
                       "es": "Trabajadores Desplazados", "it": "Lavoratori Distaccati",
                       "pl": "Pracowników Delegowanych"},
}  # fmt: skip
LETTERS = {
    "bg": ("бвгдзклмнпрстфх", "аеиоуъ"),
    "cs": ("bcčdhjklmnprřsštvz", "aeiouyáé"),
    "da": ("bdfghjklmnprstv", "aeiouyæøå"),
    "et": ("dghjklmnprstv", "aeiouõäöü"),
    "fi": ("hjklmnprstv", "aeiouyäö"),
    "ga": ("bcdfghlmnrst", "aeiouáéí"),
    "hr": ("bcčćdđgjklmnprsštvzž", "aeiou"),
    "hu": ("bcdfghjklmnprstvz", "aeiouáéöőü"),
    "lt": ("bdgjklmnprsštvžč", "aeiouąęėįų"),
    "lv": ("bdgjklmnprsštvzž", "aeiouāēī"),
    "mt": ("bdfġħjklmnqrstxż", "aeiou"),
    "nl": ("bdfghjklmnprstvwz", "aeiou"),
    "pt": ("bcdfglmnprstv", "aeiouãõç"),
    "ro": ("bcdfglmnprsștțv", "aeiouăâî"),
    "sk": ("bcčdhjklmnprsštvz", "aeiouyáô"),
    "sl": ("bcčdgjklmnprsštvzž", "aeiou"),
    "sv": ("bdfghjklmnprstv", "aeiouyåäö"),
}
STATE_LANGUAGE = {
    "AT": "de", "BE": "fr", "BG": "bg", "CY": "el", "CZ": "cs", "DE": "de", "DK": "da",
    "EE": "et", "EL": "el", "ES": "es", "FI": "fi", "FR": "fr", "HR": "hr", "HU": "hu",
    "IE": "en", "IT": "it", "LT": "lt", "LU": "fr", "LV": "lv", "MT": "mt", "NL": "nl",
    "PL": "pl", "PT": "pt", "RO": "ro", "SE": "sv", "SI": "sl", "SK": "sk", "IS": "en",
    "LI": "de", "NO": "en",
}  # fmt: skip
REGIONS_PER_STATE = 8
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def made_up_word(rng: random.Random, language: str, syllables: int) -> str:
    consonants, vowels = LETTERS.get(language, ("bdfgklmnprstv", "aeiou"))
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))


def vocabulary() -> dict[str, dict[str, str]]:
    """Every concept in every EU language: real words, or one made-up word per language."""
    words: dict[str, dict[str, str]] = {}
    for concept, known in {**BODIES, **DOMAINS}.items():
        rng = random.Random(f"{SEED}-{concept}")
        words[concept] = {
            language: known.get(language) or made_up_word(rng, language, rng.randint(3, 5))
            for language in EU_LANGUAGES
        }
    return words


def region_names() -> dict[str, list[str]]:
    rng = random.Random(f"{SEED}-regions")
    return {
        state: [made_up_word(rng, STATE_LANGUAGE[state], 3).title()
                for _ in range(REGIONS_PER_STATE)]
        for state in EEA_COUNTRIES
    }  # fmt: skip


def demo_region(state: str) -> str:
    """The region the benchmark's queries filter on: the first of the state's."""
    return region_names()[state][0]


class Generator:
    """Rows for ``count`` authorities (plus one NIMIC per member state), batch by batch."""

    def __init__(self, count: int):
        self.count = count
        self.rng = random.Random(SEED)
        self.words = vocabulary()
        self.regions = region_names()
        self.bodies, self.domains = list(BODIES), list(DOMAINS)
        self.towns = [made_up_word(self.rng, "nl", 3).title() for _ in range(3000)]
        self.nimics = {state: str(uuid.UUID(int=index + 1)) for index, state in
                       enumerate(EEA_COUNTRIES)}  # fmt: skip
        self.fold = functools.lru_cache(maxsize=50000)(fold)

    def authority(self, authority_id: str, state: str, status: str, **extra) -> tuple[dict, dict]:
        rng = self.rng
        language = STATE_LANGUAGE[state]
        body, domain = rng.choice(self.bodies), rng.choice(self.domains)
        title = {lang: f"{self.words[body][lang]} {self.words[domain][lang]}"
                 for lang in EU_LANGUAGES}  # fmt: skip
        official = f"{title[language]} {rng.choice(self.towns)}"
        region = rng.choice(self.regions[state])
        row = {
            "id": authority_id, "official_name": official, "official_language": language,
            "member_state": state, "region": region, "street": f"{rng.randint(1, 200)} Main",
            "postcode": f"{rng.randint(1000, 99999)}", "city": rng.choice(self.towns),
            "website": f"https://{authority_id[:8]}.example.eu",
            "email": f"contact-{authority_id[:8]}@example.eu", "phone": "+32 2 000 00 00",
            "languages": sorted({language, "en"}), "other_professions": [], "status": status,
            "coordinator_kind": None, "coordinated_region": None, "coordinated_areas": [],
            "validating_coordinator_id": self.nimics[state], "registered_by": None,
            "first_active_at": None, "created_at": NOW, "updated_at": NOW, "updated_by": None,
            "version": 1, **extra,
        }  # fmt: skip
        return row, title

    def rows(self, first: int, last: int) -> dict[type, list[dict]]:
        rng = self.rng
        tables: dict[type, list[dict]] = {model: [] for model in MODELS}
        for number in range(first, last):
            state = EEA_COUNTRIES[number % len(EEA_COUNTRIES)]
            authority_id = str(uuid.UUID(int=(1 << 64) + number))
            status = "pending_validation" if rng.random() < 0.03 else "validated"
            row, title = self.authority(authority_id, state, status)
            self.add(tables, row, title, rng.sample(AREAS, rng.randint(1, 2)))
        return tables

    def coordinator_rows(self) -> dict[type, list[dict]]:
        tables: dict[type, list[dict]] = {model: [] for model in MODELS}
        for state, nimic in self.nimics.items():
            row, title = self.authority(nimic, state, "validated", coordinator_kind="NIMIC",
                                        validating_coordinator_id=None)  # fmt: skip
            row["official_name"] = f"National IMI coordinator {state}"
            self.add(tables, row, title, list(AREAS))
        return tables

    def add(self, tables: dict, row: dict, title: dict, areas: list[str]) -> None:
        rng, authority_id = self.rng, row["id"]
        tables[Authority].append(row)
        language = row["official_language"]
        tables[AuthorityTitle] += [
            {"authority_id": authority_id, "language": lang, "text": text,
             "status": "original" if lang == language else "translated"}
            for lang, text in title.items()
        ]  # fmt: skip
        for area in areas:
            roles = ["authority", "request_coordinator"] if rng.random() < 0.1 else ["authority"]
            tables[AuthorityArea].append({"authority_id": authority_id, "area": area,
                                          "workflow": "information_requests", "roles": roles,
                                          "direction": "both"})  # fmt: skip
            if row["validating_coordinator_id"]:
                tables[CoordinatorLink].append(
                    {"authority_id": authority_id, "area": area,
                     "workflow": "information_requests",
                     "coordinator_id": row["validating_coordinator_id"], "linked_at": NOW,
                     "linked_by": None}
                )  # fmt: skip
        competences = {("keyword", f"kw_{rng.randint(1, 60):02d}"),
                       ("economic_activity", f"nace_{rng.randint(1, 80):02d}"),
                       ("policy_area", f"policy_{rng.randint(1, 12):02d}")}  # fmt: skip
        if "professional_qualifications" in areas:
            competences.add(("profession", f"prof_{rng.randint(1, 100):03d}"))
        tables[Competence] += [{"authority_id": authority_id, "kind": kind, "code": code}
                               for kind, code in sorted(competences)]  # fmt: skip
        texts = [row["official_name"], *title.values()]
        tables[SearchDocument].append(
            {"authority_id": authority_id, "folded": document_text(texts, self.fold)}
        )


MODELS = (Authority, AuthorityTitle, AuthorityArea, CoordinatorLink, Competence, SearchDocument)


def load_directory(engine, count: int, log) -> None:
    """``count`` authorities and the NIMICs, in batches of one transaction each."""
    generator = Generator(count)
    with Session(engine) as session:
        write(session, generator.coordinator_rows())
        session.commit()
    for first in range(0, count, BATCH):
        with Session(engine) as session:
            write(session, generator.rows(first, min(count, first + BATCH)))
            session.commit()
        if first and first % (10 * BATCH) == 0:
            log(f"generated {first} authorities")


def write(session: Session, tables: dict[type, list[dict]]) -> None:
    for model in MODELS:
        if tables[model]:
            session.execute(insert(model), tables[model])
