"""What an end-to-end test works with: the running system as a user sees it."""

from __future__ import annotations

import functools
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from nameko.standalone.events import event_dispatcher

from gateway.web.texts import shipped_texts as web_texts
from services.common.envelope import make_envelope
from services.translation.bootstrap import content_entries
from tests.conftest import HttpSession
from tests.events import event_data
from tests.smtp import SmtpServer

API = "/api/v1"
NEW_PASSWORD = "Correct-Horse-Battery-42"
SECURITY_CODE = "739204618375"


class Mailbox:
    """The emails the system sent, as the development mail server (a real SMTP server)
    received them: what a person reads in their inbox."""

    def __init__(self, smtp: SmtpServer, eventually: Callable):
        self.smtp = smtp
        self.eventually = eventually

    def to(self, address: str, template: str | None = None) -> list[EmailMessage]:
        """The emails to ``address`` (made from ``template`` only, when given), oldest first."""
        found = self.smtp.to(address)
        if template is None:
            return found
        return [email for email in found if email["Subject"] == _subject(template, email)]

    def temporary_password(self, address: str, count: int = 1) -> str:
        """The password in the ``count``-th temporary-password email to ``address``, once it
        arrived, read out of the text in the person's language."""

        def arrived() -> str:
            received = self.to(address, "email.temporary_password")
            assert len(received) >= count, f"temporary password email {count} to {address}"
            return placeholder(received[count - 1], "email.temporary_password",
                               "temporary_password")  # fmt: skip

        return self.eventually(arrived, timeout=30)  # a stack still loading its content


def shipped_text(key: str, language: str) -> str:
    """A text of the shipped catalogue (services/translation/content)."""
    return _shipped_texts()[key][language]


@functools.cache
def _shipped_texts() -> dict[str, dict[str, str]]:
    """The content files' texts, with the lists the web pages name items of."""
    return {
        **{entry["key"]: entry["texts"] for entry in content_entries()},
        **web_texts(),
    }


def _subject(template: str, email: EmailMessage) -> str:
    return shipped_text(f"{template}.subject", email["Content-Language"])


def placeholder(email: EmailMessage, template: str, name: str) -> str:
    """The value the template's ``{name}`` took in the email's text."""
    text = shipped_text(f"{template}.body", email["Content-Language"])
    pattern = "".join(
        re.escape(literal) + (f"(?P<{field}>.+?)" if field == name else ".*?" if field else "")
        for literal, field, _spec, _conversion in string.Formatter().parse(text)
    )
    found = re.fullmatch(pattern, email.get_content().strip(), re.S)
    assert found, f"{name} in the {template} email"
    return found[name]


@dataclass
class User:
    """A person using IMI: what they know (username, password, code) and their tokens."""

    username: str
    password: str
    id: str | None = None
    email: str | None = None
    security_code: str | None = None
    access_token: str | None = None

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def auth_json(self) -> dict:
        return {**self.auth, "Content-Type": "application/json"}


class Stack:
    """The running system as a client sees it: HTTP, mail, and the directory's announcements."""

    def __init__(
        self, web: HttpSession, mailbox: Mailbox, config: dict, admin: User, eventually: Callable
    ):
        self.eventually = eventually
        self.web = web
        self.mailbox = mailbox
        self.config = config
        self.admin = admin

    def login(self, user: User, password: str | None = None, code: str | None = None):
        """Challenge, then password and the digits asked for: the login answer."""
        challenge = self.web.post(f"{API}/auth/challenge", json={"username": user.username})
        assert challenge.status_code == 200, challenge.text
        asked = challenge.json()
        code = code or user.security_code or ""
        digits = "".join(code[position - 1] for position in asked["positions"]) if code else ""
        return self.web.post(
            f"{API}/auth/login",
            json={
                "username": user.username,
                "password": password or user.password,
                "challenge_id": asked["challenge_id"],
                "digits": digits,
            },
        )

    def activate(self, user: User) -> User:
        """The first login: the temporary password, then a password and code of one's own."""
        started = self.login(user)
        assert started.json()["status"] == "password_change_required", started.text
        done = self.web.post(
            f"{API}/auth/first-login",
            json={
                "setup_token": started.json()["setup_token"],
                "new_password": NEW_PASSWORD,
                "security_code": SECURITY_CODE,
            },
        )
        assert done.status_code == 200, done.text
        user.password, user.security_code = NEW_PASSWORD, SECURITY_CODE
        user.access_token = done.json()["access_token"]
        return user

    def create_user(self, by: User, **fields) -> User:
        """A user registered by an administrator, with the password their email brought."""
        data = {
            "full_name": "Ada Example",
            "email": f"{uuid.uuid4().hex[:8]}@authority.example.eu",
            "language": "de",
            **fields,
        }
        response = self.web.post(f"{API}/users", json=data, headers=by.auth)
        assert response.status_code == 201, response.text
        record = response.json()
        password = self.mailbox.temporary_password(data["email"])
        return User(record["username"], password, id=record["id"], email=data["email"])

    def register_authority(self, member_state: str = "DE") -> str:
        """Announce a new authority validated by the Commission, as the directory will, and
        wait until the Commission's administrator can see it."""
        authority_id = str(uuid.uuid4())
        data = event_data(
            "directory", "authority_registered", authority_id=authority_id,
            member_state=member_state, validating_coordinator_id=None, status="validated",
        )  # fmt: skip
        envelope = make_envelope(
            "directory", "authority_registered", authority_id, data, datetime.now(UTC)
        )
        event_dispatcher(self.config)("directory", "authority_registered", envelope)

        def known() -> None:
            query = {"authority_id": authority_id}
            response = self.web.get(f"{API}/users", params=query, headers=self.admin.auth)
            assert response.status_code == 200, f"identity to learn of {authority_id}"

        self.eventually(known)
        return authority_id

    def user_ids(self, by: User, authority_id: str | None = None) -> list[str]:
        query = {"page_size": 100, **({"authority_id": authority_id} if authority_id else {})}
        response = self.web.get(f"{API}/users", params=query, headers=by.auth)
        assert response.status_code == 200, response.text
        return sorted(user["id"] for user in response.json()["items"])

    def users_of(self, by: User, authority_id: str) -> list[dict]:
        response = self.web.get(
            f"{API}/users", params={"authority_id": authority_id}, headers=by.auth
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def national_coordinator(self, admin: User, member_state: str = "DE") -> User:
        """A NIMIC registered by the Commission through the API, and its first user (every
        right, data administrator included) past the first login."""
        body = {
            "official_name": "Bundesministerium für Wirtschaft",
            "official_language": "de",
            "member_state": member_state,
            "email": "imi@bmwi.example.de",
            "languages": ["de", "en"],
            "areas": [{"area": "professional_qualifications", "workflow": "information_requests"}],
            "coordinator_kind": "NIMIC",
            "first_user": {"full_name": "Nina Koordinatorin", "email": "nina@bmwi.example.de",
                           "language": "de"},
        }  # fmt: skip
        response = self.web.post(f"{API}/authorities", json=body, headers=admin.auth)
        assert response.status_code == 201, response.text
        authority_id = response.json()["id"]

        def first_user() -> dict:
            found = self.users_of(admin, authority_id)
            assert found, "identity to create the coordinator's first user"
            return found[0]

        # a stack still taking in its demo data's events may take a while to create it
        record = self.eventually(first_user, timeout=30)
        password = self.mailbox.temporary_password(record["email"])
        return self.activate(User(record["username"], password, id=record["id"]))
