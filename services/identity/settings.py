"""The identity service's settings and secrets, built once per process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from nameko.extensions import DependencyProvider

from services.common.credentials import publish_token_key
from services.identity.domain import MAX_FAILURES, PasswordHasher
from services.identity.keys import IdentityKeys, load_or_create_keys

CONFIG_KEY = "IDENTITY"
DEFAULT_KEY_DIR = "var/keys/identity"
DEFAULT_ACCESS_TOKEN_SECONDS = 600
DEFAULT_REFRESH_TOKEN_SECONDS = 8 * 3600
# How long the previous refresh token of a session still gets the answer of its refresh (a
# client retrying a refresh whose answer it lost); later, it is taken for a stolen copy.
DEFAULT_REFRESH_REPEAT_SECONDS = 60
CHALLENGE_SECONDS = 300
RESET_LINK_SECONDS = 1800


@dataclass(frozen=True)
class IdentitySettings:
    keys: IdentityKeys
    hasher: PasswordHasher
    access_token_seconds: int = DEFAULT_ACCESS_TOKEN_SECONDS
    refresh_token_seconds: int = DEFAULT_REFRESH_TOKEN_SECONDS
    refresh_repeat_seconds: int = DEFAULT_REFRESH_REPEAT_SECONDS
    max_failed_logins: int = MAX_FAILURES
    challenge_seconds: int = CHALLENGE_SECONDS
    self_service_reset: bool = False
    reset_link_seconds: int = RESET_LINK_SECONDS
    rng: secrets.SystemRandom = field(default_factory=secrets.SystemRandom)
    dummy_hash: str = ""


def settings_from_config(config: dict) -> IdentitySettings:
    section = config.get(CONFIG_KEY) or {}
    hasher = PasswordHasher()
    return IdentitySettings(
        keys=load_or_create_keys(section.get("KEY_DIR", DEFAULT_KEY_DIR)),
        hasher=hasher,
        dummy_hash=hasher.hash_password(secrets.token_urlsafe(16)),
        access_token_seconds=int(section.get("ACCESS_TOKEN_SECONDS", DEFAULT_ACCESS_TOKEN_SECONDS)),
        refresh_token_seconds=int(
            section.get("REFRESH_TOKEN_SECONDS", DEFAULT_REFRESH_TOKEN_SECONDS)
        ),
        refresh_repeat_seconds=int(
            section.get("REFRESH_REPEAT_SECONDS", DEFAULT_REFRESH_REPEAT_SECONDS)
        ),
        max_failed_logins=int(section.get("MAX_FAILED_LOGINS", MAX_FAILURES)),
        self_service_reset=bool(section.get("SELF_SERVICE_RESET", False)),
    )


class Settings(DependencyProvider):
    def setup(self) -> None:
        config = self.container.config
        self.settings = settings_from_config(config)
        keys = self.settings.keys
        publish_token_key(config, keys.kid, keys.public_key_pem)

    def get_dependency(self, worker_ctx) -> IdentitySettings:
        return self.settings
