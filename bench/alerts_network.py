"""The network an alert benchmark sends to, built through the gateway as the Commission's
administrator builds it: every EEA state's incoming alert mailbox (Services and Professional
Qualifications) and the Commission's (EU, Services), and a few authorities per state taking
part in both areas' alerts, each registered with its first user (every right); then, per
mailbox, an alert coordinator (``alert_authoriser``) and an alert handler, and per other
authority an alert handler. Identity creates the accounts and the notifications service emails
their temporary passwords to the benchmark's SMTP server, where they are read (as a person
reads them) for the accounts the benchmark logs in with.
"""

from __future__ import annotations

import json
import re
import string
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import requests

from bench.directory_data import STATE_LANGUAGE
from bench.login import HTTP_TIMEOUT_SECONDS, log_in_first_time
from bench.processes import StartError
from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.translation.bootstrap import content_entries

API = "/api/v1"
SD, PQ = "services", "professional_qualifications"
SENDER_STATE = "IT"
PASSWORD_EMAIL = "email.temporary_password"  # noqa: S105 - a template's name
SETUP_TIMEOUT_SECONDS = 300


@dataclass
class Person:
    full_name: str
    email: str
    language: str
    grants: list[dict] | None  # None: the authority's first user, with every right
    id: str | None = None
    username: str | None = None
    token: str | None = None

    @property
    def alert_authoriser(self) -> bool:
        return self.grants is None or any(g["right"] == "alert_authoriser" for g in self.grants)


@dataclass
class Authority:
    name: str
    member_state: str
    language: str
    email: str
    areas: list[dict]
    mailbox: bool
    people: list[Person] = field(default_factory=list)
    id: str | None = None

    @property
    def first_user(self) -> Person:
        return self.people[0]


def _grants(right: str) -> list[dict]:
    return [{"right": right, "area": SD}, {"right": right, "area": PQ}]


def plan(authorities_per_state: int) -> list[Authority]:
    """The mailboxes first (the Commission's last), then the other authorities."""
    planned = []
    for state in (*EEA_COUNTRIES, COMMISSION):
        language = STATE_LANGUAGE.get(state, "en")
        areas = [(SD, "incoming_alert_mailbox")]
        if state != COMMISSION:
            areas.append((PQ, "incoming_alert_mailbox"))
        mailbox = _authority(state, language, "alerts", areas, True)
        mailbox.people += [
            _person(mailbox, "coordinator", _grants("alert_authoriser")),
            _person(mailbox, "handler", _grants("alert_handler")),
        ]
        planned.append(mailbox)
    for state in EEA_COUNTRIES:
        for number in range(1, authorities_per_state + 1):
            authority = _authority(
                state, STATE_LANGUAGE[state], f"authority-{number}",
                [(SD, "alert_authority"), (PQ, "alert_authority")], False,
            )  # fmt: skip
            authority.people.append(_person(authority, "handler", _grants("alert_handler")))
            planned.append(authority)
    return planned


def _authority(state: str, language: str, key: str, areas, mailbox: bool) -> Authority:
    slug = f"{state.lower()}-{key}"
    authority = Authority(
        name=f"Bench {state} {key}", member_state=state, language=language,
        email=f"{slug}@bench.invalid", mailbox=mailbox,
        areas=[{"area": area, "workflow": "alerts", "roles": [role]} for area, role in areas],
    )  # fmt: skip
    authority.people.append(_person(authority, "first", None))
    return authority


def _person(authority: Authority, role: str, grants: list[dict] | None) -> Person:
    slug = authority.email.split("@")[0]
    return Person(f"{role.title()} {authority.name}", f"{role}.{slug}@bench.invalid",
                  authority.language, grants)  # fmt: skip


def sender_authority(network: list[Authority]) -> Authority:
    return next(a for a in network if a.member_state == SENDER_STATE and not a.mailbox)


def mailboxes(network: list[Authority], area: str) -> list[Authority]:
    """The mailboxes an alert of ``area`` from the sender's state goes to."""
    return [
        a for a in network if a.mailbox and a.member_state != SENDER_STATE
        and (area == SD or a.member_state != COMMISSION)
    ]  # fmt: skip


class Gateway:
    """HTTP calls to the stack as one user."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        response = self.session.request(
            method, self.base + API + path, timeout=HTTP_TIMEOUT_SECONDS, **kwargs
        )
        if response.status_code != expect:
            raise StartError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else {}


class Mail:
    """The emails the SMTP sink (bench/smtp_sink.py) wrote, read as they come."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[dict] = []
        self._stream = None

    def read(self) -> list[dict]:
        """The lines written since the last call."""
        if self._stream is None:
            if not self.path.exists():
                return []
            self._stream = self.path.open(encoding="utf-8")
        new = []
        while True:
            position = self._stream.tell()
            line = self._stream.readline()
            if not line.endswith("\n"):  # none, or half written: read again next time
                self._stream.seek(position)
                break
            new.append(json.loads(line))
        self.lines += new
        return new

    def temporary_passwords(self) -> dict[str, str]:
        """The latest temporary password sent to each address."""
        self.read()
        found = {}
        for line in self.lines:
            password = _placeholder(line, "temporary_password")
            if password is not None:
                found[line["to"][0]] = password
        return found


@cache
def _body_pattern(language: str, name: str) -> re.Pattern | None:
    texts = {e["key"]: e["texts"] for e in content_entries()}
    body = texts.get(f"{PASSWORD_EMAIL}.body", {}).get(language)
    if body is None:
        return None
    return re.compile("".join(
        re.escape(literal) + (f"(?P<{field}>.+?)" if field == name else ".*?" if field else "")
        for literal, field, _spec, _conversion in string.Formatter().parse(body)
    ), re.S)  # fmt: skip


def _placeholder(line: dict, name: str) -> str | None:
    pattern = _body_pattern(line.get("language") or "en", name)
    found = pattern.fullmatch(line["text"].strip()) if pattern else None
    return found[name] if found else None


def build(admin: Gateway, network: list[Authority], mail: Mail, log) -> None:
    """Register every authority with its first user, then the other people; each person's
    id and username as identity made them."""
    for authority in network:
        first = authority.first_user
        body = {
            "official_name": authority.name, "official_language": authority.language,
            "member_state": authority.member_state, "email": authority.email,
            "languages": sorted({authority.language, "en"}), "areas": authority.areas,
            "first_user": {"full_name": first.full_name, "email": first.email,
                           "language": first.language},
        }  # fmt: skip
        authority.id = admin.call("POST", "/authorities", 201, json=body)["id"]
    log(f"{len(network)} authorities registered: waiting for their first users")
    wait(lambda: _first_users_known(admin, network), "identity to create the first users")
    for authority in network:
        for person in authority.people[1:]:
            body = {"authority_id": authority.id, "full_name": person.full_name,
                    "email": person.email, "language": person.language,
                    "grants": person.grants}  # fmt: skip
            made = admin.call("POST", "/users", 201, json=body)
            person.id, person.username = made["id"], made["username"]
    people = sum(len(a.people) for a in network)
    log(f"{people} people: waiting for their temporary passwords")
    wait(lambda: len(mail.temporary_passwords()) >= people, "the temporary passwords")


def _first_users_known(admin: Gateway, network: list[Authority]) -> bool:
    for authority in network:
        first = authority.first_user
        if first.id is None:
            found = admin.call("GET", "/users", params={"authority_id": authority.id})["items"]
            if not found:
                return False
            first.id, first.username = found[0]["id"], found[0]["username"]
    return True


def activate(base: str, person: Person, mail: Mail) -> None:
    """The person's first login with the emailed password: an access token."""
    password = mail.temporary_passwords()[person.email]
    person.token = log_in_first_time(base, person.username, password)


def wait(done, what: str) -> None:
    deadline = time.monotonic() + SETUP_TIMEOUT_SECONDS
    while not done():
        if time.monotonic() > deadline:
            raise StartError(f"waited {SETUP_TIMEOUT_SECONDS} s for {what}")
        time.sleep(0.5)
