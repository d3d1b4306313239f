"""The session cookie: sealed so that a visitor can neither read nor change it, opened by any
replica holding the key, refused when forged, tampered with or too old; the CSRF token
compared in constant time; ``next`` addresses kept on this site."""

from __future__ import annotations

import time

import pytest
from cryptography import fernet

from gateway.web.session import MAX_AGE_SECONDS, Session, SessionSeal
from gateway.web.visit import local_path

SECRET = b"k" * 32


def test_a_sealed_session_opens_with_the_same_key_on_another_replica_and_hides_its_tokens():
    session = Session().with_tokens("access-token-value", "refresh-token-value")

    value = SessionSeal(SECRET).seal(session)

    assert "access-token-value" not in value
    assert SessionSeal(SECRET).open(value) == session


@pytest.mark.parametrize(
    "tamper",
    [
        # one character in the middle: near the end it may hold only base64's padding bits
        lambda value: value[:40] + ("A" if value[40] != "A" else "B") + value[41:],
        lambda value: value[:20] + value[21:],
        lambda value: "not-a-cookie",
        lambda value: "",
        lambda value: "é" * 10,
    ],
)
def test_a_tampered_or_foreign_cookie_opens_as_no_session(tamper):
    value = SessionSeal(SECRET).seal(Session().with_tokens("a", "r"))

    assert SessionSeal(SECRET).open(tamper(value)) is None
    assert SessionSeal(b"other-key" * 4).open(value) is None


def test_a_cookie_older_than_its_maximum_age_is_refused(monkeypatch):
    seal = SessionSeal(SECRET)
    value = seal.seal(Session())
    later = time.time() + MAX_AGE_SECONDS + 120
    monkeypatch.setattr(fernet.time, "time", lambda: later)  # the clock Fernet reads

    assert seal.open(value) is None


def test_logging_in_changes_the_csrf_token_and_logging_out_forgets_every_token():
    anonymous = Session()
    logged_in = anonymous.with_tokens("a", "r")
    logged_out = logged_in.logged_out()

    assert logged_in.csrf != anonymous.csrf
    assert logged_in.logged_in
    assert not logged_out.logged_in
    assert logged_out.refresh_token is None
    assert logged_out.setup_token is None


def test_the_csrf_token_is_accepted_only_whole():
    session = Session()

    assert session.accepts(session.csrf)
    assert not session.accepts(session.csrf[:-1])
    assert not session.accepts("")
    assert not session.accepts(None)


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/requests?box=incoming", "/requests?box=incoming"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_a_next_address_stays_on_this_site(asked, kept):
    assert local_path(asked) == kept
