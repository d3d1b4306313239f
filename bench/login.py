"""Logging in through the HTTP API as a person does: challenge, then password and the digits
of the security code asked for; the first login sets a password and code of one's own."""

from __future__ import annotations

import random
import secrets
import string

import requests

from bench.processes import StartError
from services.identity.domain import check_password, check_security_code

API = "/api/v1"
HTTP_TIMEOUT_SECONDS = 30


def log_in_first_time(base: str, username: str, temporary_password: str) -> str:
    """The administrator's first login through the API, then an ordinary login: the access
    token of an account in its normal state."""
    password, code = activate(base, username, temporary_password)
    return log_in(base, username, password, code)


def activate(base: str, username: str, temporary_password: str) -> tuple[str, str]:
    """The first login: the temporary password, then a new random password and security
    code, which are returned."""
    session = requests.Session()
    setup = _login(session, base, username, temporary_password, security_code=None)
    password, code = new_password(username), new_security_code()
    done = _post(
        session,
        base,
        "first-login",
        {"setup_token": setup["setup_token"], "new_password": password, "security_code": code},
    )
    if done.get("status") != "authenticated":
        raise StartError(f"first login did not authenticate: {done}")
    return password, code


def log_in(base: str, username: str, password: str, security_code: str) -> str:
    """An ordinary login (challenge, password and the digits asked for): an access token."""
    result = _login(requests.Session(), base, username, password, security_code)
    if result.get("status") != "authenticated":
        raise StartError(f"login did not authenticate: {result}")
    return result["access_token"]


def _login(session, base, username, password, security_code: str | None) -> dict:
    challenge = _post(session, base, "challenge", {"username": username})
    body = {"username": username, "password": password, "challenge_id": challenge["challenge_id"]}
    if security_code is not None:
        body["digits"] = "".join(security_code[p - 1] for p in challenge["positions"])
    return _post(session, base, "login", body)


def _post(session: requests.Session, base: str, path: str, body: dict) -> dict:
    response = session.post(f"{base}{API}/auth/{path}", json=body, timeout=HTTP_TIMEOUT_SECONDS)
    if response.status_code != 200:
        raise StartError(f"POST {API}/auth/{path}: {response.status_code} {response.text}")
    return response.json()


def new_password(username: str) -> str:
    """A random password the policy accepts (no secret lives in this file)."""
    while True:
        password = secrets.token_urlsafe(18) + "aA1!"
        if not check_password(password, username):
            return password


def new_security_code() -> str:
    rng = random.SystemRandom()
    while True:
        code = "".join(rng.choice(string.digits) for _ in range(12))
        if not check_security_code(code):
            return code
