"""An eTranslation-style asynchronous API: a request id now, the translation later.

The request (``POST ETRANSLATION_URL``, JSON, HTTP digest authentication with the application
name and password, as the Commission's eTranslation) names the text, the languages and two
callback URLs on the gateway. The answer is the engine's request id (a positive number; a
negative one is an error code). The translation arrives on the callback as
``{"request-id", "target-language", "translated-text", "external-reference"}``, or a failure
on the error callback as ``{"request-id", "error-code", "error-message", ...}``, form-encoded
or JSON. External: only masked text is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import requests
from requests.auth import HTTPDigestAuth

from services.common.errors import ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.machine.engine import (
    AsynchronousEngine,
    engine_failed,
    engine_unreachable,
    text_rejected,
    unsupported_pair,
)

MAX_CALLBACK_TEXT = 100_000


@dataclass(frozen=True)
class CallbackAnswer:
    """What an engine posted back: the translation, or why there is none."""

    request_id: str
    text: str | None
    error: str | None


class ETranslationEngine(AsynchronousEngine):
    name = "etranslation"
    external = True

    def __init__(
        self,
        url: str,
        application: str = "",
        password: str = "",
        timeout: float = 10.0,
        languages: tuple[str, ...] = SUPPORTED_LANGUAGES,
    ):
        self.url = url
        self.auth = HTTPDigestAuth(application, password) if application else None
        self.application = application
        self.timeout = timeout
        self._pairs = set(permutations(languages, 2))

    def pairs(self) -> set[tuple[str, str]]:
        return self._pairs

    def submit(self, text: str, source: str, target: str, callback_url: str, reference: str) -> str:
        if not self.supports(source, target):
            raise unsupported_pair(self.name, source, target)
        body = {
            "priority": 0,
            "externalReference": reference,
            "callerInformation": {"application": self.application, "username": "imi"},
            "sourceLanguage": source.upper(),
            "targetLanguages": [target.upper()],
            "domain": "GEN",
            "textToTranslate": text,
            "requesterCallback": callback_url,
            "errorCallback": callback_url,
        }
        try:
            response = requests.post(self.url, json=body, auth=self.auth, timeout=self.timeout)
        except requests.Timeout:
            raise engine_unreachable(self.name, f"no answer within {self.timeout:g} s.") from None
        except requests.RequestException as exc:
            raise engine_unreachable(self.name, f"{type(exc).__name__} at {self.url}.") from None
        if response.status_code in (400, 413):
            raise text_rejected(self.name, f"HTTP {response.status_code}.")
        if response.status_code >= 300:
            raise engine_failed(self.name, f"HTTP {response.status_code}.")
        try:
            request_id = int(response.text.strip())
        except ValueError:
            raise engine_failed(self.name, "its answer is not a request id.") from None
        if request_id <= 0:
            raise engine_failed(self.name, f"it answered with error code {request_id}.")
        return str(request_id)


def parse_callback(data: object) -> CallbackAnswer:
    """The engine's callback, checked field by field; ValidationFailed when malformed."""
    if not isinstance(data, dict):
        raise ValidationFailed.from_fields(
            {"_schema": ["An object was expected."]}, "The callback is not a valid engine answer."
        )
    errors: dict[str, list[str]] = {}
    request_id = data.get("request-id")
    if isinstance(request_id, int) and not isinstance(request_id, bool):
        request_id = str(request_id)
    if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > 64:
        errors["request-id"] = ["The engine's request id is required."]
    text, error = data.get("translated-text"), data.get("error-message") or data.get("error-code")
    if text is None and error is None:
        errors["translated-text"] = ["A translation or an error is required."]
    elif text is not None and (not isinstance(text, str) or len(text) > MAX_CALLBACK_TEXT):
        errors["translated-text"] = ["Text of at most 100000 characters is expected."]
    if errors:
        raise ValidationFailed.from_fields(errors, "The callback is not a valid engine answer.")
    return CallbackAnswer(request_id.strip(), text, None if text is not None else str(error)[:500])
