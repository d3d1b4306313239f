"""Demo data, so that a new installation shows a living directory: every member state's
NIMIC, a few SDIMICs, DIMICs and LIMICs, several hundred authorities and the registers they
keep, generated from the templates in data/demo/ (each kind of authority in each member state,
and in each of its cities for the local kinds).

Loading is idempotent: every id is a uuid5 of what the entry is (``DE/chamber/München``), and
an entry whose id exists is left alone, so a second run changes nothing and never undoes what
users changed since. Entries are validated by the same schemas and reference-list checks as
real input and built by the same code as real registrations (services.directory.authorities
and .registers), in one transaction; each one's
``authority_registered``, ``coordinator_linked`` or ``register_changed`` event goes through
the outbox, so the read models of the identity and requests services learn of them when the
services start. Demo authorities have no users (no ``first_user_requested``). A few of them
work with allocation or give their coordinators the full view, and a few member states and
regions have request policies (data/demo/request_settings.yaml), each policy announced with
its ``request_policy_changed``.
"""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml
from marshmallow import fields
from sqlalchemy import select

from services.common.clock import utcnow
from services.common.db import StandaloneDatabase, UnitOfWork
from services.common.reference import COMMISSION
from services.common.schemas import load
from services.directory import authorities, registers, request_policies, search
from services.directory.domain import AUTHORITY_SETTINGS, CoordinatorKind, Place, Status, policy_id
from services.directory.models import Authority, Base, Register, RequestPolicy
from services.directory.schemas.authorities import FirstUserSchema, NewAuthoritySchema
from services.directory.schemas.registers import NewRegisterSchema
from services.directory.schemas.request_policies import RequestPolicyPutSchema

DEMO_DIR = Path(__file__).parent / "data" / "demo"
NAMESPACE = uuid.UUID("5d1c0a3e-2f4b-5c6d-8e9f-0a1b2c3d4e5f")
TITLE_LANGUAGES = ("en", "fr", "de")
COORDINATOR_AREAS = ("professional_qualifications", "services", "posting_of_workers", "solvit")
# every NIMIC is its member state's incoming alert mailbox in these areas
MAILBOX_AREAS = ("services", "professional_qualifications")
MAILBOX = "incoming_alert_mailbox"
TOP_LEVEL_DOMAINS = {"EL": "gr"}


class DemoAuthoritySchema(NewAuthoritySchema):
    """A registration without a first user: demo authorities have no users."""

    first_user = fields.Nested(FirstUserSchema, load_default=None)


def demo_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@cache
def read(name: str):
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def slug(text: str) -> str:
    return search.fold(text).replace(" ", "-")[:60]


# --- the plan: what the demo directory holds (pure) ------------------------------------------


def contact(member_state: str, country: dict, box: str, city: tuple, number: int) -> dict:
    domain = f"example.{TOP_LEVEL_DOMAINS.get(member_state, member_state.lower())}"
    return {
        "city": city[0],
        "region": city[1],
        "postcode": city[2],
        "email": f"{box}@{domain}",
        "website": f"https://www.{domain}/{slug(box)}",
        "phone": f"{country['phone']} {1000 + number * 37 % 9000} {100 + number * 13 % 900}",
        "languages": list(country["languages"]),
    }


def areas(pairs) -> list[dict]:
    """Areas and workflows, from (area, workflow) or (area, workflow, role): a role named
    is the authority's one role there, else it is a competent authority, as a registration
    that names none."""
    return [{"area": area, "workflow": workflow, "roles": list(roles) or ["authority"]}
            for area, workflow, *roles in pairs]  # fmt: skip


def nimic(member_state: str, country: dict) -> dict:
    capital = country["cities"][0]
    data = country["nimic"]
    return {
        "key": f"{member_state}/NIMIC",
        "official_name": data["name"],
        "official_language": country["language"],
        "member_state": member_state,
        "street": data["street"],
        **contact(member_state, country, "imi", (capital[0], capital[1], data["postcode"]), 0),
        "titles": {country["language"]: data["name"], "en": "National IMI coordinator",
                   "fr": "Coordinateur national IMI", "de": "Nationaler IMI-Koordinator"},
        "areas": areas([*((area, "information_requests") for area in COORDINATOR_AREAS),
                        *((area, "alerts", MAILBOX) for area in MAILBOX_AREAS)]),
        "coordinator_kind": CoordinatorKind.NIMIC.value,
    }  # fmt: skip


def commission_mailbox() -> dict:
    """The Commission's incoming alert mailbox, registered under EU like its other services."""
    data = read("commission.yaml")
    return {
        "key": f"{COMMISSION}/{data['key']}",
        "official_name": data["name"],
        "official_language": data["language"],
        "member_state": COMMISSION,
        "street": data["street"],
        **contact(
            COMMISSION, data, data["key"], (data["city"], data["region"], data["postcode"]), 0
        ),
        "titles": dict(data["titles"]),
        "areas": areas(data["areas"]),
    }


def coordinator(entry: dict, country: dict, number: int) -> dict:
    member_state = entry["member_state"]
    coordinated = entry.get("areas") or ["professional_qualifications", "services"]
    place = (entry["city"], entry.get("region") or country["cities"][0][1], entry["postcode"])
    language = entry.get("language", country["language"])
    return {
        "key": f"{member_state}/{entry['kind']}/{entry['key']}",
        "official_name": entry["name"],
        "official_language": language,
        "member_state": member_state,
        "street": entry["street"],
        **contact(member_state, country, f"imi.{entry['key']}", place, number),
        "titles": {language: entry["name"], **entry["titles"]},
        "areas": areas((area, "information_requests") for area in coordinated),
        "coordinator_kind": entry["kind"],
        "coordinated_region": entry.get("region"),
        "coordinated_areas": entry.get("areas", []),
    }


def local_authority(member_state: str, country: dict, kind_name: str, city: list, n: int) -> dict:
    kind = read("authority_kinds.yaml")[kind_name]
    language = city[3] if len(city) > 3 else country["language"]
    name = country.get("names", {}).get(kind_name) or kind["names"][language]
    titles = {lang: text.format(city=city[0]) for lang, text in kind["titles"].items()}
    official_name = name.format(city=city[0])
    if language not in titles:
        titles[language] = official_name
    national = kind["scope"] == "national"
    box = kind["email"] if national else f"{kind['email']}.{slug(city[0])}"
    return {
        "key": f"{member_state}/{kind_name}" + ("" if national else f"/{city[0]}"),
        "kind": kind_name,
        "official_name": official_name,
        "official_language": language,
        "member_state": member_state,
        **contact(member_state, country, box, tuple(city[:3]), n),
        "titles": titles,
        "areas": areas(kind["areas"]),
    }


def plan_authorities() -> list[dict]:
    """NIMICs first and the Commission's alert mailbox, then the other coordinators, then the
    authorities they validate."""
    countries = read("countries.yaml")
    planned = [nimic(member_state, country) for member_state, country in countries.items()]
    planned.append(commission_mailbox())
    planned += [
        coordinator(entry, countries[entry["member_state"]], n)
        for n, entry in enumerate(read("coordinators.yaml"), start=1)
    ]
    kinds = read("authority_kinds.yaml")
    n = len(planned)
    for member_state, country in countries.items():
        for kind_name, kind in kinds.items():
            cities = country["cities"][:1] if kind["scope"] == "national" else country["cities"]
            for city in cities:
                n += 1
                planned.append(local_authority(member_state, country, kind_name, city, n))
    for entry in planned:
        entry["id"] = demo_id(entry["key"])
    return planned


def validating_coordinator(entry: dict, coordinators: list[Place]) -> str | None:
    """The narrowest coordinator whose scope covers the authority: a regional one, else a
    LIMIC of its areas, else its NIMIC (NIMICs are the Commission's: none)."""
    if entry.get("coordinator_kind") == CoordinatorKind.NIMIC.value:
        return None
    if entry.get("coordinator_kind"):
        candidates = [place for place in coordinators if place.coordinator_kind == "NIMIC"]
    else:
        candidates = sorted(
            coordinators,
            key=lambda place: (not place.coordinated_region, not place.coordinated_areas),
        )
    served = frozenset(item["area"] for item in entry["areas"])
    for place in candidates:
        if place.covers(entry["member_state"], entry.get("region"), served):
            return place.id
    return None


def coordinator_places(planned: list[dict]) -> list[Place]:
    return [
        Place(
            id=entry["id"],
            member_state=entry["member_state"],
            coordinator_kind=CoordinatorKind(entry["coordinator_kind"]),
            coordinated_region=entry.get("coordinated_region"),
            coordinated_areas=frozenset(entry.get("coordinated_areas") or ()),
        )
        for entry in planned
        if entry.get("coordinator_kind")
    ]


def plan_registers(planned: list[dict]) -> list[dict]:
    """Every register kind for each member state, kept by that state's authority of the
    kind's keeper; in the state's language where texts exist in it, with English beside."""
    keepers = {(entry["member_state"], entry.get("kind")): entry for entry in planned}
    result = []
    for member_state in read("countries.yaml"):
        for kind_name, kind in read("registers.yaml").items():
            keeper = keepers[(member_state, kind["keeper"])]
            language = keeper["official_language"]
            source = language if language in kind["texts"] else "en"
            result.append({
                "id": demo_id(member_state, "register", kind_name),
                "authority_id": keeper["id"],
                "url": keeper["website"] + kind["path"],
                "access": kind["access"],
                "source_language": source,
                "texts": kind["texts"][source],
                "translations": {} if source == "en" else {"en": kind["texts"]["en"]},
            })  # fmt: skip
    return result


def plan_settings() -> dict[str, dict[str, bool]]:
    """The settings of the demo authorities that have some, by id."""
    return {
        demo_id(entry["key"]): {name: bool(entry[name]) for name in AUTHORITY_SETTINGS}
        for entry in read("request_settings.yaml")["authorities"]
    }


def plan_policies() -> list[dict]:
    """The demo request policies, as a coordinator would set them (without a version)."""
    return [load(RequestPolicyPutSchema, entry)
            for entry in read("request_settings.yaml")["request_policies"]]  # fmt: skip


# --- loading ----------------------------------------------------------------------------------


class Added(NamedTuple):
    """How many demo entries a run added."""

    authorities: int
    registers: int
    policies: int


REQUEST_FIELDS = frozenset(DemoAuthoritySchema().fields)


def add_authority(
    unit: UnitOfWork, entry: dict, registrar: str | None, settings: dict | None = None
) -> None:
    """As a coordinator registers one: linked to its registrar for every area and workflow
    (each link announced with ``coordinator_linked``, as a real registration's is)."""
    request = load(
        DemoAuthoritySchema, {key: value for key, value in entry.items() if key in REQUEST_FIELDS}
    )
    authorities.check_references(unit, request)
    authority = authorities.new_authority(unit, None, request, Status.VALIDATED, registrar)
    authority.id = entry["id"]
    for name, value in (settings or {}).items():
        setattr(authority, name, value)
    if registrar is not None:
        for item in request["areas"]:
            authorities.attach_link(
                unit, None, authority, item["area"], item["workflow"].value, registrar
            )
    unit.session.flush()
    search.index_authority(unit, authority)
    authorities.record_authority_event(unit, "authority_registered", authority, changed=[])


def add_register(unit: UnitOfWork, entry: dict) -> None:
    request = load(NewRegisterSchema, {key: entry[key] for key in NewRegisterSchema().fields})
    authority = unit.session.get(Authority, entry["authority_id"])
    registers.add(unit, authority, request, entry["id"], None, entry["translations"])


def load_demo_data(unit: UnitOfWork) -> Added:
    """Add the demo entries that are missing; how many authorities, registers and request
    policies were. A policy a user deleted since stays deleted (its tombstone is there)."""
    planned = plan_authorities()
    places = coordinator_places(planned)
    settings = plan_settings()
    known = set(unit.session.scalars(select(Authority.id).where(
        Authority.id.in_([entry["id"] for entry in planned]))))  # fmt: skip
    missing = [entry for entry in planned if entry["id"] not in known]
    for entry in missing:
        add_authority(unit, entry, validating_coordinator(entry, places), settings.get(entry["id"]))
    wanted = plan_registers(planned)
    known = set(unit.session.scalars(select(Register.id).where(
        Register.id.in_([entry["id"] for entry in wanted]))))  # fmt: skip
    new_registers = [entry for entry in wanted if entry["id"] not in known]
    for entry in new_registers:
        add_register(unit, entry)
    policies = plan_policies()
    ids = {policy_id(item["member_state"], item["region"], item["area"]) for item in policies}
    known = set(unit.session.scalars(select(RequestPolicy.id).where(RequestPolicy.id.in_(ids))))
    new_policies = [
        item
        for item in policies
        if policy_id(item["member_state"], item["region"], item["area"]) not in known
    ]
    for item in new_policies:
        request_policies.store(unit, item, None)
    return Added(len(missing), len(new_registers), len(new_policies))


def load_demo(uri: str, clock=utcnow) -> Added:
    """Load the demo data into the directory's database at ``uri``, in one transaction."""
    database = StandaloneDatabase(Base, "directory", uri, clock)
    unit = database.unit_of_work()
    try:
        added = load_demo_data(unit)
        unit.commit()
        return added
    finally:
        unit.close()
        database.dispose()
