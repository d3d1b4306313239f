"""What the web pages promise every browser, checked over plain HTTP: the security headers,
the session cookie's flags, forms refused without their CSRF token, errors as pages in the
reader's language (while the API keeps answering problems), compressed pages and assets."""

from __future__ import annotations

import re

from gateway.web.rendering import CONTENT_SECURITY_POLICY
from gateway.web.session import COOKIE
from tests.e2e.stack import API, shipped_text


def test_a_page_carries_a_strict_policy_and_a_session_cookie_no_script_can_read(stack):
    answer = stack.web.get("/login")

    assert answer.status_code == 200
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "<script>" not in answer.text
    assert " style=" not in answer.text


def test_a_form_without_its_csrf_token_is_refused_and_nothing_happens(stack):
    stack.web.get("/login")  # the session and its token

    forged = stack.web.post("/login", data={"username": "it-roma-handler"})
    wrong = stack.web.post("/login", data={"username": "it-roma-handler", "csrf_token": "x"})

    for answer in (forged, wrong):
        assert answer.status_code == 403
        assert answer.headers["Content-Type"].startswith("text/html")
        assert shipped_text("web.error.forbidden", "en") in answer.text


def test_the_login_form_sends_back_to_the_page_asked_for_never_to_another_site(stack):
    page = stack.web.get("/login", params={"next": "//evil.example/steal"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    assert 'name="next" value="/"' in page.text

    answer = stack.web.post(
        "/login",
        data={"username": "it-roma-handler", "csrf_token": token, "next": "https://evil.example"},
    )
    assert answer.status_code == 200
    assert 'name="next" value="/"' in answer.text


def test_an_unknown_page_is_a_page_in_the_reader_s_language_and_the_api_keeps_its_problems(stack):
    page = stack.web.get("/no-such-page", headers={"Accept-Language": "de-DE,de;q=0.9"})
    api = stack.web.get(f"{API}/no-such-route")

    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="de">' in page.text
    assert shipped_text("web.error.not_found", "de") in page.text
    assert api.status_code == 404
    assert api.headers["Content-Type"] == "application/problem+json"


def test_pages_and_assets_travel_compressed_and_assets_are_cached_for_good(stack):
    page = stack.web.get("/login", headers={"Accept-Encoding": "gzip"})
    stylesheet = re.search(r'href="(/assets/[0-9a-f]+/ecl\.css)"', page.text)[1]
    asset = stack.web.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    stale = stack.web.get(re.sub(r"/assets/[0-9a-f]+/", "/assets/0000000000000000/", stylesheet))

    assert page.headers["Content-Encoding"] == "gzip"
    assert asset.status_code == 200
    assert asset.headers["Content-Encoding"] == "gzip"
    assert "immutable" in asset.headers["Cache-Control"]
    assert int(asset.headers["Content-Length"]) < 80_000
    assert stale.status_code == 404
